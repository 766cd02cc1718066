// Imported first by tests/run.ts, before anything else loads:
// - uvu decides at load whether to run files itself (one at a time, as a CLI) or on a timer;
// - the product's logger reads LOG_LEVEL when it is created: tests keep warnings and errors only.
(globalThis as unknown as { UVU_DEFER: number }).UVU_DEFER = 1;
process.env.LOG_LEVEL ||= 'warn';
export {};
