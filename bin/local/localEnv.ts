/**
 * Imported first by bin/server.ts and bench/run.ts: the Powertools metrics read their settings when
 * their module loads, so these defaults must be in place before anything imports lambda/.
 * EMF metric lines are for CloudWatch; locally the request log line says the same (set
 * POWERTOOLS_METRICS_DISABLED=false to see them). The AWS SDK's "will require Node 22 from 2027"
 * notice is for maintainers, not for someone trying the adaptor.
 */
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

export {};
