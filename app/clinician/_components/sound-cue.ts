"use client";

// The audible cue for critical alerts. Browsers only let a page make sound after a user gesture, so
// the AudioContext is created by the "enable sound" button and reused for every cue after that.
export type TSoundCue = { play(): void; close(): void };

export function createSoundCue(): TSoundCue | null {
  const AudioContextClass = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!AudioContextClass) return null;
  const context = new AudioContextClass();
  return {
    play() {
      void context.resume();
      const start = context.currentTime + 0.02;
      // Three short 880 Hz beeps: distinct from a phone ring, audible over room noise, not alarming.
      for (let index = 0; index < 3; index += 1) {
        const oscillator = context.createOscillator();
        const gain = context.createGain();
        oscillator.type = "sine";
        oscillator.frequency.value = 880;
        const at = start + index * 0.25;
        gain.gain.setValueAtTime(0.0001, at);
        gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.15);
        oscillator.connect(gain).connect(context.destination);
        oscillator.start(at);
        oscillator.stop(at + 0.16);
      }
    },
    close() {
      void context.close();
    },
  };
}
