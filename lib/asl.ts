/**
 * Turning the CloudFormation form of a state machine definition (a string, or an `Fn::Join` of strings
 * and intrinsics) back into Amazon States Language a local engine can run.
 */

/** The function ARN that replaces the poller function's intrinsic ARN in a rendered definition. */
export const PLACEHOLDER_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:poller';

/** Values of the pseudo parameters in a rendered definition. */
export const PLACEHOLDER_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Joins a DefinitionString: literal parts stay, a `Ref` to a pseudo parameter becomes its placeholder
 * (so `arn:${AWS::Partition}:states:::lambda:invoke` stays a valid resource) and every other intrinsic
 * (the function's `Fn::GetAtt`) becomes `functionArn`.
 */
export function joinDefinitionString(value: unknown, functionArn: string = PLACEHOLDER_FUNCTION_ARN): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [unknown, unknown];
    if (typeof separator !== 'string' || !Array.isArray(parts)) {
      throw new Error(`Unexpected Fn::Join in DefinitionString: ${JSON.stringify(value)}`);
    }
    return parts.map((part) => joinPart(part, functionArn)).join(separator);
  }
  throw new Error(`Unexpected DefinitionString: ${JSON.stringify(value)}`);
}

function joinPart(part: unknown, functionArn: string): string {
  if (typeof part === 'string') return part;
  if (isObject(part) && typeof part.Ref === 'string' && part.Ref in PLACEHOLDER_PSEUDO_PARAMETERS) {
    return PLACEHOLDER_PSEUDO_PARAMETERS[part.Ref];
  }
  if (isObject(part) && Object.keys(part).length === 1 && /^(Fn::|Ref$)/.test(Object.keys(part)[0])) {
    return functionArn;
  }
  throw new Error(`Unexpected part of DefinitionString: ${JSON.stringify(part)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
