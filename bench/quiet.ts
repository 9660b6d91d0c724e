/**
 * Imported first by bench/run.ts: the logger reads LOG_LEVEL when its module loads, which is before
 * startBench runs, so it must be set before anything imports lambda/. A benchmark's output is its
 * table; request log lines would bury it. Metrics and the SDK notice: bin/local/localEnv.ts.
 */
import '../bin/local/localEnv';

process.env.LOG_LEVEL = 'silent';

export {};
