/**
 * The credential provider the deployed bundle uses in place of `@aws-sdk/credential-provider-node`
 * (an esbuild alias in lib/poller-function.ts). In Lambda the runtime hands the function its role's
 * credentials in the environment, the first link of the default chain; the rest of the chain (SSO, INI
 * files, STS, instance metadata) is never reached there and is a third of the bundle.
 */
import { fromEnv } from '@aws-sdk/credential-provider-env';

export const defaultProvider: typeof fromEnv = (init) => fromEnv(init);
