/**
 * Imported first by bench/run.ts: the logger and the metrics read their settings when their modules
 * load, which is before startBench runs, so these must be set before anything imports lambda/. A
 * benchmark's output is its table; request log lines and EMF metric lines would bury it.
 */
process.env.LOG_LEVEL = 'silent';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
