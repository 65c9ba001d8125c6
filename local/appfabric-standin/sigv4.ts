/**
 * The SigV4 check: calls need an `Authorization` header whose credential scope names the service
 * `appfabric` and whose signed headers include `host` (structure only; the signature is not verified).
 */
import { HttpError } from './protocol';

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=[A-Za-z0-9]+\/\d{8}\/[a-z0-9-]+\/appfabric\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/;

/** Undefined when the header has SigV4's shape for appfabric, else the 403 to answer. */
export function checkSigV4(authorization: string | undefined): HttpError | undefined {
  const match = AUTHORIZATION.exec(authorization ?? '');
  if (match?.[1].split(';').includes('host')) return undefined;
  return new HttpError(
    403,
    'AccessDeniedException',
    'Missing or malformed SigV4 Authorization header for service appfabric',
    {},
    {},
    'unauthenticated',
  );
}
