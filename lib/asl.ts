/**
 * The one renderer of a state machine definition: the CloudFormation form (a string, or an `Fn::Join`
 * of strings and intrinsics) back into Amazon States Language a local engine or a test can read.
 */

/** The function ARN that replaces the poller function's intrinsic ARN in a rendered definition. */
export const PLACEHOLDER_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:poller';

/** Values of the pseudo parameters in a rendered definition. */
const PLACEHOLDER_PSEUDO_PARAMETERS: Readonly<Record<string, string>> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'us-east-1',
  'AWS::AccountId': '000000000000',
  'AWS::URLSuffix': 'amazonaws.com',
};

export interface RenderOptions {
  /**
   * What a `Fn::GetAtt` of a Lambda function's `Arn` becomes (the engine calls it).
   *
   * @default - `<LogicalId.Arn>`, as any other attribute
   */
  readonly functionArn?: string;
  /** Logical IDs whose `Fn::GetAtt … Arn` is a function (with `functionArn`). @default - every one */
  readonly functionIds?: readonly string[];
}

/**
 * Renders a DefinitionString as ASL. Literal parts stay; a `Ref` to a pseudo parameter becomes its
 * placeholder (so `arn:${AWS::Partition}:states:::lambda:invoke` stays a valid resource); any other
 * `Ref` becomes `<LogicalId>` and a `Fn::GetAtt` `<LogicalId.Attr>`, or `functionArn` for the function.
 */
export function renderAsl(value: unknown, options: RenderOptions = {}): Record<string, unknown> {
  return JSON.parse(joinDefinitionString(value, options));
}

function joinDefinitionString(value: unknown, options: RenderOptions): string {
  if (typeof value === 'string') return value;
  if (isObject(value) && Array.isArray(value['Fn::Join'])) {
    const [separator, parts] = value['Fn::Join'] as [unknown, unknown];
    if (typeof separator !== 'string' || !Array.isArray(parts)) {
      throw new Error(`Unexpected Fn::Join in DefinitionString: ${JSON.stringify(value)}`);
    }
    return parts.map((part) => joinPart(part, options)).join(separator);
  }
  throw new Error(`Unexpected DefinitionString: ${JSON.stringify(value)}`);
}

function joinPart(part: unknown, options: RenderOptions): string {
  if (typeof part === 'string') return part;
  if (isObject(part) && typeof part.Ref === 'string') {
    return PLACEHOLDER_PSEUDO_PARAMETERS[part.Ref] ?? `<${part.Ref}>`;
  }
  if (isObject(part) && Array.isArray(part['Fn::GetAtt'])) {
    const [id, attribute] = part['Fn::GetAtt'] as [string, string];
    const isFunction = options.functionIds === undefined || options.functionIds.includes(id);
    if (options.functionArn !== undefined && attribute === 'Arn' && isFunction) return options.functionArn;
    return `<${id}.${attribute}>`;
  }
  throw new Error(`Unexpected part of DefinitionString: ${JSON.stringify(part)}`);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
