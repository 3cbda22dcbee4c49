// Evaluates the detection cascade on a simulated cohort: the same streams through three systems.
//   watchOnly  tier 1 alone: a persistent hit (manifest threshold "alert") is the alert
//   ecgAll     tier 2 alone: every 30 s window's strip classified, an abnormal rhythm is the alert
//   cascade    tier 1 hit (threshold "escalate") -> 30 s strip -> tier 2 confirms, refutes, or the
//              event becomes an unconfirmed alert (timeout, unreadable strips), lib/detect/cascade
//
//   npm run eval:cascade [-- --patients 50 --days 4 --variants 2 --classifier auto|cnn|qrs --seed S --debug]
//   npm run eval:cascade -- --real-strips [--data DIR]
// (--debug lists the cascade's requests and verdicts around every episode it missed; --real-strips has
// tier 2 classify real recordings of each state's rhythm instead of synthetic strips, from the test split
// only, so on recordings the ECG model never trained on or was selected on; DIR defaults to
// PULSEGUARD_DATA_DIR)
//
// Prints progress, a table, PASS/MISS per target, and last a RESULT line. How ECG strips are made for
// tier 2 (a per-patient bank for ecgAll, a strip per request for the cascade): bench/lib/eval-ecg-bank.ts.
//
// Scoring (bench/lib/eval-cohort.ts scoreAlerts): sensitivity is event level over clinical episodes of
// >= 60 s; an episode is detected when an alert is raised, or a hit folds into an open alert, between
// its start and 60 s after its end. A false alert is a new alert outside every clinical episode's
// [start, end + 60 s]. Time to alert = alert time - episode start, p95 over the detected episodes; for
// the cascade it includes the 30 s recording and TIER2_LATENCY_S; for ecgAll the window's end + the
// same latency. All three share the alert folding (same condition within 20 min = one alert).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { getConfig } from "../lib/config";
import { createRealEcgStripSource } from "../lib/datasets/create-real-ecg-strip-source";
import { resolveDataDir } from "../lib/datasets/locate-dataset";
import { createCascadePolicy, type TCascadeAction, type TEcgClassifier } from "../lib/detect/cascade";
import { createWatchScreen, SCREEN_CONDITIONS, type TScreenCondition } from "../lib/detect/screen";
import { loadWatchScreenModel } from "../lib/detect/screen/load-watch-screen-model";
import { ECG_LABEL_CONDITION } from "../lib/detect/cascade/ecg-classification";
import { BENIGN_EPISODE_TYPES, CLINICAL_EPISODE_TYPES } from "../lib/sim/episodes";
import { createRng } from "../lib/sim/rng";
import { createRandomScenario } from "../lib/sim/scenario";
import { clinicalEpisodesOf, findGateFirings, scoreAlerts, simulatePatient, type TAlertScore, type TScoredAlert, type TScreenTrace } from "../bench/lib/eval-cohort";
import { createRealStripClassifier, createStripBank, findStripState, type TRealStripClassifier } from "../bench/lib/eval-ecg-bank";
import { createQrsRulesClassifier, QRS_RULES_MODEL_VERSION } from "../bench/lib/eval-qrs-classifier";
import { describeMachine } from "../bench/lib/machine";
import { formatTable, percentile, round } from "../bench/lib/stats";

const { values: args } = parseArgs({
  options: {
    patients: { type: "string", default: "50" },
    days: { type: "string", default: "4" },
    variants: { type: "string", default: "2" },
    seed: { type: "string", default: "eval-cascade-v1" },
    classifier: { type: "string", default: "auto" },
    debug: { type: "boolean", default: false },
    "real-strips": { type: "boolean", default: false },
    data: { type: "string" },
  },
});
const PATIENTS = Number(args.patients);
const DAYS = Number(args.days);
const VARIANTS = Number(args.variants);
const SEED = args.seed!;
const SECONDS = DAYS * 86_400;
const PATIENT_DAYS = PATIENTS * DAYS;

// Episodes per patient-day: more than real life (so 200 patient-days hold ~100 of each clinical type)
// but spaced out by the scenario generator so each starts from the patient's ordinary state.
const CLINICAL_PER_DAY = 2;
const BENIGN_PER_DAY = 4;
/** An alert up to this long after an episode's end still counts for it (a strip asked for near its end). */
const GRACE_S = 60;
const WINDOW_S = 30;
/**
 * From the end of a strip's recording to tier 2's answer reaching the policy: upload of ~15 KB over
 * the phone link, queueing and inference. Stated, not measured.
 */
const TIER2_LATENCY_S = 10;
/** Share of strip requests the watch never answers (off the wrist, out of range): the timeout path. */
const NO_ANSWER_SHARE = 0.02;
const ALERT_COOLDOWN_S = 600;
const FOLD_WINDOW_S = 1200;

const startedAt = performance.now();
const print = (line = "") => process.stdout.write(`${line}\n`);
const step = (line: string) => print(`[${((performance.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);

async function loadTier2(): Promise<{ classifier: TEcgClassifier; description: string; isTemporary: boolean }> {
  const manifestPath = path.join("public", "models", "ecg-cnn", "manifest.json");
  const modulePath = path.resolve("lib", "detect", "ecg", "index.ts");
  const hasCnn = existsSync(manifestPath) && existsSync(modulePath);
  if (args.classifier === "cnn" || (args.classifier === "auto" && hasCnn)) {
    if (!hasCnn) throw new Error(`--classifier cnn: ${manifestPath} or ${modulePath} is missing`);
    // Imported by path at run time: lib/detect/ecg is built in parallel and may not exist at type-check time.
    const ecg = (await import(pathToFileURL(modulePath).href)) as { loadEcgClassifier(options?: { modelDir?: string }): Promise<TEcgClassifier> };
    const classifier = await ecg.loadEcgClassifier();
    const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { version?: string; sha256?: string };
    return {
      classifier,
      description: `ECG CNN ${manifest.version ?? "?"} from public/models/ecg-cnn (lib/detect/ecg), weights sha256 ${manifest.sha256?.slice(0, 12) ?? "?"}...`,
      isTemporary: false,
    };
  }
  return { classifier: createQrsRulesClassifier(), description: `TEMPORARY rules on lib/detect/qrs features (${QRS_RULES_MODEL_VERSION}), not the real tier 2`, isTemporary: true };
}

type TSystemTotals = { outcomes: TAlertScore["outcomes"]; falseAlerts: number; tier2Calls: number; unconfirmed: number; confirmed: number };
const newTotals = (): TSystemTotals => ({ outcomes: [], falseAlerts: 0, tier2Calls: 0, unconfirmed: 0, confirmed: 0 });
const addScore = (totals: TSystemTotals, score: TAlertScore) => {
  totals.outcomes.push(...score.outcomes);
  totals.falseAlerts += score.falseAlerts;
};

/** Same-condition alerts within the fold window are one alert (the hit folds into the open one). */
function foldAlerts(raw: { atS: number; condition: TScreenCondition }[]): TScoredAlert[] {
  const lastAtS = new Map<TScreenCondition, number>();
  return raw.map(({ atS, condition }) => {
    const previous = lastAtS.get(condition);
    lastAtS.set(condition, atS);
    return { atS, condition, isNew: previous === undefined || atS - previous >= FOLD_WINDOW_S };
  });
}

function summarize(totals: TSystemTotals) {
  const detected = totals.outcomes.filter((outcome) => outcome.detected);
  const times = detected.map((outcome) => outcome.timeToAlertS!).sort((a, b) => a - b);
  return {
    sensitivity: round(detected.length / Math.max(1, totals.outcomes.length), 4),
    falseAlertsPerPatientDay: round(totals.falseAlerts / PATIENT_DAYS, 3),
    tier2CallsPerPatientDay: round(totals.tier2Calls / PATIENT_DAYS, 2),
    timeToAlertP95S: round(percentile(times, 95), 1),
  };
}

/** Real strips from the test split only: the figures are then on recordings the model never saw. */
async function loadRealStrips(classifier: TEcgClassifier): Promise<{ classifier: TRealStripClassifier; description: string } | null> {
  if (!args["real-strips"]) return null;
  const dataDir = resolveDataDir(args.data, getConfig().PULSEGUARD_DATA_DIR);
  if (!dataDir) throw new Error("--real-strips needs --data DIR or PULSEGUARD_DATA_DIR");
  const source = await createRealEcgStripSource({ dataDir, splits: ["test"], onProgress: step });
  if (!source) throw new Error(`--real-strips: ${dataDir} holds neither CinC 2017 nor MIT-BIH`);
  const counts = Object.entries(source.counts).map(([rhythm, count]) => `${rhythm} ${count}`).join(", ");
  return {
    classifier: createRealStripClassifier({ source, classifier }),
    description: `real recordings, test split only (${source.datasets.join(" + ")}; ${counts}; index ${source.fromCache ? "cached" : "built"} in ${round(source.indexMs / 1000, 1)} s)`,
  };
}

async function main() {
  const machine = describeMachine();
  const screenModel = await loadWatchScreenModel();
  const { thresholds } = screenModel.manifest;
  const tier2 = await loadTier2();
  const realStrips = await loadRealStrips(tier2.classifier);
  const stripsKind = realStrips ? "real-test" : "synthetic";
  print("PulseGuard cascade evaluation");
  print(`  machine  ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}`);
  print(`  cohort   ${PATIENTS} patients x ${DAYS} days = ${PATIENT_DAYS} patient-days, seed ${SEED}; ${CLINICAL_PER_DAY} clinical + ${BENIGN_PER_DAY} benign episodes per patient-day`);
  print(`  tier 1   watch-screen ${screenModel.manifest.version} (${screenModel.manifest.sizeBytes} B), escalate >= ${thresholds.escalate}, watch-only alert >= ${thresholds.alert}, persistence ${thresholds.persistenceHits} hits`);
  print(`  tier 2   ${tier2.description}`);
  print(`  strips   ${stripsKind}: ${realStrips ? realStrips.description : "synthetic ECGSYN-style strips (lib/sim/ecg)"}`);
  print(`           ecgAll: per-patient bank of ${VARIANTS} strips (different ${realStrips ? "draws" : "seeds"}) per (rhythm, 10 bpm rate bin) state the patient is in,`);
  print(`           ${realStrips ? "drawn" : "generated"} and classified once; every 30 s window maps to a bank strip of its ground-truth state.`);
  print(`           cascade: each request gets its own strip of the ground-truth state over the 30 s it records (bench/lib/eval-ecg-bank.ts)`);
  print(`  timing   strip ${WINDOW_S} s + ${TIER2_LATENCY_S} s upload/classify; ${NO_ANSWER_SHARE * 100}% of requests unanswered (timeout path); grace after an episode ${GRACE_S} s`);

  const scenario = createRandomScenario({
    seed: SEED,
    patientCount: PATIENTS,
    days: DAYS,
    clinicalEpisodesPerPatientDay: CLINICAL_PER_DAY,
    benignEpisodesPerPatientDay: BENIGN_PER_DAY,
  });
  const episodeCounts = new Map<string, number>();
  for (const patient of scenario.patients) for (const episode of patient.episodes) episodeCounts.set(episode.type, (episodeCounts.get(episode.type) ?? 0) + 1);
  print(`  episodes ${[...CLINICAL_EPISODE_TYPES, ...BENIGN_EPISODE_TYPES].map((type) => `${type} ${episodeCounts.get(type) ?? 0}`).join(", ")}`);
  print();

  const systems = { watchOnly: newTotals(), ecgAll: newTotals(), cascade: newTotals() };
  // Watch-only at other thresholds, to show what watch-only alone would need for the cascade's sensitivity.
  const sweepThresholds = [0.5, 0.8, 0.9, 0.95, 0.975, 0.99];
  const sweep = sweepThresholds.map(() => newTotals());
  let bankStrips = 0;
  let freshStrips = 0;
  let bankStates = 0;
  let generateMs = 0;
  let classifyMs = 0;
  let syntheticFallbacks = 0;
  let screenMs = 0;
  let simulateMs = 0;
  const noAnswerRng = createRng(`${SEED}/no-answer`);
  const falseAlertCauses = new Map<string, number>();
  const modelVersions = new Set<string>();

  for (const [patientIndex, patient] of scenario.patients.entries()) {
    let started = performance.now();
    const simulated = simulatePatient({ scenario, patient, seconds: SECONDS });
    simulateMs += performance.now() - started;
    const { bpm, activity, truth } = simulated.series;
    const episodes = clinicalEpisodesOf(patient, SECONDS);
    const bank = createStripBank({ classifier: tier2.classifier, seed: SEED, patientKey: patient.patientKey, variants: VARIANTS, realStrips: realStrips?.classifier });
    const fallbackBpm = patient.restingBpm ?? 70;

    // Tier 1 and the cascade policy, second by second, as the server would run them at ingest.
    started = performance.now();
    const screen = createWatchScreen({ weights: screenModel.weights, ageYears: simulated.ageYears });
    let nowS = 0;
    const policy = createCascadePolicy({
      clock: { nowMs: () => nowS * 1000 },
      config: {
        escalateScore: thresholds.escalate,
        persistenceHits: thresholds.persistenceHits,
        alertCooldownMs: ALERT_COOLDOWN_S * 1000,
        foldWindowMs: FOLD_WINDOW_S * 1000,
        stripDurationMs: WINDOW_S * 1000,
      },
    });
    const trace: TScreenTrace = {
      score: new Float32Array(SECONDS),
      suspected: new Uint8Array(SECONDS),
      levelBpm: new Float32Array(0),
      baselineBpm: new Float32Array(0),
      activityLevel: new Float32Array(0),
      isWarmingUp: new Uint8Array(SECONDS),
    };
    const deliveries: { atS: number; requestId: string; fromS: number }[] = [];
    const cascadeAlerts: TScoredAlert[] = [];
    // What each new cascade alert rested on, to explain the false ones.
    const alertCauses: { atS: number; cause: string }[] = [];
    let currentStrip = "no strip (timeout)";
    const debugEvents: { atS: number; text: string }[] = [];
    const handle = (actions: TCascadeAction[]) => {
      for (const action of actions) {
        if (args.debug) {
          const detail =
            action.type === "request_ecg"
              ? `request ${action.attempt} suspected ${action.tier1.suspected} score ${action.tier1.score.toFixed(3)}`
              : action.type === "refuted"
                ? `refuted ${action.reason} ecg ${action.ecg.label} ${action.ecg.confidence.toFixed(2)} strip ${currentStrip} screen ${JSON.stringify(action.screenDuringStrip, (_, v: unknown) => (typeof v === "number" ? Number(v.toFixed(2)) : v))}`
                : action.type === "alert"
                  ? `alert ${action.alert.source} ${action.alert.condition} strip ${currentStrip} screen ${JSON.stringify(action.alert.screenDuringStrip ?? {}, (_, v: unknown) => (typeof v === "number" ? Number(v.toFixed(2)) : v))}`
                  : `folded ${action.condition}`;
          debugEvents.push({ atS: nowS, text: detail });
        }
        if (action.type === "request_ecg") {
          systems.cascade.tier2Calls += 1;
          if (noAnswerRng.chance(NO_ANSWER_SHARE)) continue;
          deliveries.push({ atS: nowS + WINDOW_S + TIER2_LATENCY_S, requestId: action.requestId, fromS: nowS });
        } else if (action.type === "alert") {
          cascadeAlerts.push({ atS: action.alert.atMs / 1000, isNew: true, condition: action.alert.condition });
          const escalatedAtS = Math.round(action.alert.tier1.atMs / 1000);
          const context = truth[escalatedAtS] ?? (activity[escalatedAtS]! > 80 ? "moving" : "at rest");
          const via = action.alert.source === "ECG_CONFIRMED" ? `ECG ${action.alert.ecg?.label} on a ${currentStrip} strip` : `unconfirmed (${action.alert.unconfirmedReason})`;
          alertCauses.push({ atS: action.alert.atMs / 1000, cause: `${via}; tier 1 hit ${context}` });
          if (action.alert.source === "ECG_CONFIRMED") systems.cascade.confirmed += 1;
          else systems.cascade.unconfirmed += 1;
        } else if (action.type === "folded") {
          cascadeAlerts.push({ atS: action.atMs / 1000, isNew: false, condition: action.condition });
        }
      }
    };
    for (let second = 0; second < SECONDS; second += 1) {
      nowS = second;
      while (deliveries.length && deliveries[0]!.atS <= second) {
        const delivery = deliveries.shift()!;
        const state = findStripState({ truth, bpm, fromS: delivery.fromS, toS: delivery.fromS + WINDOW_S, fallbackBpm });
        const classification = await bank.classifyFresh({ state, recordingKey: `request@${delivery.fromS}` });
        currentStrip = `${state.rhythm} ${Math.round(state.rateBpm)} bpm`;
        handle(policy.onEcgResult({ requestId: delivery.requestId, classification }));
        currentStrip = "no strip (timeout)";
      }
      const result = screen.push({ bpm: bpm[second]!, activity: activity[second]!, atMs: second * 1000 });
      if (result) {
        trace.score[second] = result.score;
        trace.suspected[second] = SCREEN_CONDITIONS.indexOf(result.suspected);
        trace.isWarmingUp[second] = result.isWarmingUp ? 1 : 0;
      } else {
        trace.score[second] = Number.NaN;
      }
      handle(policy.onScreenResult(result));
    }
    // Includes the policy and generating/classifying the cascade's own strips (also in the strip figures).
    screenMs += performance.now() - started;
    const cascadeScore = scoreAlerts({ episodes, alerts: cascadeAlerts, graceS: GRACE_S });
    addScore(systems.cascade, cascadeScore);
    if (args.debug) {
      cascadeScore.outcomes.forEach((outcome, index) => {
        if (outcome.detected) return;
        const episode = episodes.filter((e) => e.durationS >= 60)[index]!;
        print(`DEBUG missed ${patient.patientKey} ${episode.type} start ${episode.startS} duration ${episode.durationS}`);
        for (const event of debugEvents) if (event.atS >= episode.startS - 900 && event.atS <= episode.startS + episode.durationS + GRACE_S) print(`DEBUG   +${event.atS - episode.startS}s ${event.text}`);
      });
    }
    for (const { atS, cause } of alertCauses) {
      if (episodes.some((episode) => atS >= episode.startS && atS <= episode.startS + episode.durationS + GRACE_S)) continue;
      const key = cause.replace(/\d+ bpm/, (rate) => `~${Math.round(Number.parseInt(rate, 10) / 10) * 10} bpm`);
      falseAlertCauses.set(key, (falseAlertCauses.get(key) ?? 0) + 1);
    }

    // Watch only: the same tier-1 stream, alerting on its own threshold.
    const watchAlerts = (threshold: number) =>
      foldAlerts(
        findGateFirings({ trace, threshold, persistenceHits: thresholds.persistenceHits, pauseS: ALERT_COOLDOWN_S }).map((atS) => ({
          atS,
          condition: SCREEN_CONDITIONS[trace.suspected[atS]!]!,
        })),
      );
    addScore(systems.watchOnly, scoreAlerts({ episodes, alerts: watchAlerts(thresholds.alert), graceS: GRACE_S }));
    sweepThresholds.forEach((threshold, index) => addScore(sweep[index]!, scoreAlerts({ episodes, alerts: watchAlerts(threshold), graceS: GRACE_S })));

    // ECG on every window: the strip of each 30 s window, answered TIER2_LATENCY_S after it ends.
    const ecgRaw: { atS: number; condition: TScreenCondition }[] = [];
    for (let fromS = 0; fromS + WINDOW_S <= SECONDS; fromS += WINDOW_S) {
      const state = findStripState({ truth, bpm, fromS, toS: fromS + WINDOW_S, fallbackBpm });
      const classification = await bank.classify({ state, pickKey: `window@${fromS}` });
      modelVersions.add(classification.modelVersion);
      systems.ecgAll.tier2Calls += 1;
      const condition = ECG_LABEL_CONDITION[classification.label];
      const probability = classification.confidence;
      if (condition && probability >= policy.config.confirmProbability) ecgRaw.push({ atS: fromS + WINDOW_S + TIER2_LATENCY_S, condition });
    }
    addScore(systems.ecgAll, scoreAlerts({ episodes, alerts: foldAlerts(ecgRaw), graceS: GRACE_S }));

    const stats = bank.stats();
    bankStrips += stats.strips;
    freshStrips += stats.freshStrips;
    bankStates += stats.states;
    generateMs += stats.generateMs;
    classifyMs += stats.classifyMs;
    syntheticFallbacks += stats.syntheticFallbacks;
    if ((patientIndex + 1) % 5 === 0 || patientIndex + 1 === PATIENTS) {
      const partial = summarize(systems.cascade);
      step(
        `${patientIndex + 1}/${PATIENTS} patients  bank ${bankStrips} strips  cascade so far: sensitivity ${partial.sensitivity}, ` +
          `${round(systems.cascade.falseAlerts / ((patientIndex + 1) * DAYS), 2)} false/day, ${round(systems.cascade.tier2Calls / ((patientIndex + 1) * DAYS), 1)} strips/day`,
      );
    }
  }
  await tier2.classifier.close();

  const results = { watchOnly: summarize(systems.watchOnly), ecgAll: summarize(systems.ecgAll), cascade: summarize(systems.cascade) };
  const names = ["watchOnly", "ecgAll", "cascade"] as const;
  print();
  print(`Results over ${PATIENT_DAYS} patient-days (${systems.cascade.outcomes.length} clinical episodes >= 60 s)`);
  print(
    formatTable([
      ["system", "sensitivity", "false alerts/patient-day", "tier-2 calls/patient-day", "time to alert p95", "time to alert p50"],
      ...names.map((name) => {
        const detectedTimes = systems[name].outcomes.filter((o) => o.detected).map((o) => o.timeToAlertS!).sort((a, b) => a - b);
        return [
          name,
          results[name].sensitivity.toFixed(3),
          results[name].falseAlertsPerPatientDay.toFixed(3),
          String(results[name].tier2CallsPerPatientDay),
          `${results[name].timeToAlertP95S} s`,
          `${round(percentile(detectedTimes, 50), 1)} s`,
        ];
      }),
    ]),
  );
  print();
  print("Sensitivity per episode type (and the cascade's time to alert)");
  print(
    formatTable([
      ["type", "episodes", ...names, "cascade p50 / p95"],
      ...CLINICAL_EPISODE_TYPES.map((type) => {
        const count = systems.cascade.outcomes.filter((o) => o.type === type).length;
        return [
          type,
          String(count),
          ...names.map((name) => {
            const of = systems[name].outcomes.filter((o) => o.type === type);
            return (of.filter((o) => o.detected).length / Math.max(1, of.length)).toFixed(3);
          }),
          (() => {
            const times = systems.cascade.outcomes.filter((o) => o.type === type && o.detected).map((o) => o.timeToAlertS!).sort((a, b) => a - b);
            return `${round(percentile(times, 50), 0)} s / ${round(percentile(times, 95), 0)} s`;
          })(),
        ];
      }),
    ]),
  );
  print();
  print(`Cascade alerts: ${systems.cascade.confirmed} ECG-confirmed, ${systems.cascade.unconfirmed} unconfirmed (timeout or unreadable strips)`);
  print("Cascade false alerts by cause");
  print(formatTable([...falseAlertCauses].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([cause, count]) => [String(count), cause])));
  print();
  print("Watch-only at other alert thresholds (same tier-1 stream)");
  print(
    formatTable([
      ["threshold", "sensitivity", "false alerts/patient-day", "time to alert p95"],
      ...sweepThresholds.map((threshold, index) => {
        const summary = summarize(sweep[index]!);
        return [String(threshold), summary.sensitivity.toFixed(3), summary.falseAlertsPerPatientDay.toFixed(3), `${summary.timeToAlertP95S} s`];
      }),
    ]),
  );
  print();
  print(
    `Tier 2 strips: bank ${bankStrips} over ${bankStates} patient states (${VARIANTS} per state) for ecgAll, ${freshStrips} recorded on request for the cascade; ` +
      `generating ${round(generateMs / 1000, 1)} s, classifying ${round(classifyMs / 1000, 1)} s (${round(classifyMs / Math.max(1, bankStrips + freshStrips), 1)} ms/strip); ` +
      `simulating ${round(simulateMs / 1000, 1)} s; tier 1 + policy ${round(screenMs / 1000, 1)} s (${round((screenMs * 1000) / (PATIENT_DAYS * 86_400), 2)} us/sample, incl. cascade strips)`,
  );
  print(`Tier 2 model version(s): ${[...modelVersions].join(", ")}`);
  if (realStrips) {
    const real = realStrips.classifier.stats();
    print(
      `Real strips: ${real.draws} draws of ${real.distinctStrips} distinct test-split recordings (${Object.entries(real.byRhythm).map(([rhythm, count]) => `${rhythm} ${count}`).join(", ")}); ` +
        `${syntheticFallbacks} strips synthetic for want of a test recording of their rhythm${generateMs ? "; generating = reading the recordings" : ""}`,
    );
  }
  if (tier2.isTemporary) print("NOTE: tier 2 here is the TEMPORARY QRS-rules classifier, not the ECG CNN; figures are provisional.");

  const { cascade, watchOnly, ecgAll } = results;
  const targets: [boolean, string, string][] = [
    [cascade.sensitivity >= 0.95, "cascade sensitivity >= 0.95", String(cascade.sensitivity)],
    [cascade.falseAlertsPerPatientDay <= 0.5, "cascade false alerts <= 0.5 per patient-day", String(cascade.falseAlertsPerPatientDay)],
    [cascade.tier2CallsPerPatientDay <= 0.05 * ecgAll.tier2CallsPerPatientDay, "cascade tier-2 calls <= 5% of ecgAll's", `${round((100 * cascade.tier2CallsPerPatientDay) / ecgAll.tier2CallsPerPatientDay, 2)}%`],
    [cascade.timeToAlertP95S < 90, "cascade time to alert p95 < 90 s", `${cascade.timeToAlertP95S} s`],
    [
      cascade.falseAlertsPerPatientDay <= 0.8 * watchOnly.falseAlertsPerPatientDay && cascade.sensitivity >= watchOnly.sensitivity,
      "cascade false alerts >= 20% below watchOnly at equal or better sensitivity",
      `${cascade.falseAlertsPerPatientDay} vs ${watchOnly.falseAlertsPerPatientDay}; sensitivity ${cascade.sensitivity} vs ${watchOnly.sensitivity}`,
    ],
  ];
  print();
  print("Targets");
  print(formatTable(targets.map(([ok, name, measured]) => [ok ? "PASS" : "MISS", name, `(${measured})`])));
  print(`Ran in ${round((performance.now() - startedAt) / 1000, 1)} s`);
  print();
  print(`RESULT ${JSON.stringify({ eval: "cascade", strips: stripsKind, watchOnly, ecgAll, cascade })}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
