// Imported first by tests/run.ts: uvu decides at load whether to run files itself (one at a time,
// as a CLI) or on a timer, so the flag must be set before anything imports uvu.
(globalThis as unknown as { UVU_DEFER: number }).UVU_DEFER = 1;
export {};
