// The privacy budget spent by rounds of the Gaussian mechanism on clipped, summed updates. With every
// participant's update clipped to norm C (and weight <= 1), one hospital changes the sum by at most C
// (L2 sensitivity), and the summed noise has standard deviation sigma_total * C. One round is then
// rho = 1 / (2 sigma_total^2)-zCDP (Bun and Steinke 2016); rounds compose by adding rho, and
// (epsilon, delta)-DP follows as epsilon = rho + 2 sqrt(rho ln(1/delta)). Protection is per hospital
// (the unit that clips), the guarantee cross-silo federated learning usually reports.

/** Noise multiplier of the sum when each of `participants` adds N(0, (sigmaPerParticipant C)^2). */
export function getTotalNoiseMultiplier(options: { sigmaPerParticipant: number; participants: number }): number {
  return options.sigmaPerParticipant * Math.sqrt(options.participants);
}

export function getEpsilon(options: { noiseMultiplier: number; rounds: number; delta: number }): number {
  if (!(options.noiseMultiplier > 0)) return Number.POSITIVE_INFINITY;
  const rho = options.rounds / (2 * options.noiseMultiplier ** 2);
  return rho + 2 * Math.sqrt(rho * Math.log(1 / options.delta));
}
