/**
 * Environment of local runs, set before the handler module loads (import this first): the SDK's Node 20
 * notice and the function's metric lines (EMF JSON on stdout, meant for CloudWatch) would only be noise in
 * a terminal. Values already set win.
 */
// Local runs are on Node 20; the deployed function runs on Node 24.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
