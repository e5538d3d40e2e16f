/** Time behind a port so services and tests agree on "now" (tests pass a fixed clock). */
export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };
