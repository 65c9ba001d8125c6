// Tests talk only to loopback stand-ins: give the SDK a region and static credentials so it never
// looks for real ones (no ~/.aws, no instance metadata).
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'AKIDLOCALTEST';
process.env.AWS_SECRET_ACCESS_KEY ??= 'local-test-secret';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
process.env.POWERTOOLS_DEV ??= 'false';
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
// Tests run on Node 20; the deployed function on Node 24: the SDK's Node 20 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
