/**
 * Acknowledging cdk-nag findings on the construct that causes them, with CDK's own
 * `Validations.of(scope).acknowledge()` (cdk-nag v3), so the constructs need no cdk-nag import.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * A resource as cdk-nag names it in a finding ID: intrinsics flattened, `Ref` → `<Id>`,
 * `Fn::GetAtt` → `<Id.Attr>`, `Fn::Join` joined (cdk-nag's flattenCfnReference).
 */
function nagResourceName(scope: IConstruct, value: unknown): string {
  const visit = (node: unknown): string => {
    if (node === undefined) return '';
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
    if (typeof node === 'object' && node !== null) {
      const o = node as Record<string, unknown>;
      if (Array.isArray(o['Fn::Join'])) {
        const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
        return items.map(visit).join(delimiter);
      }
      if (o['Fn::Sub'] !== undefined) return visit(o['Fn::Sub']);
      if (Array.isArray(o['Fn::GetAtt'])) {
        const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
        return `<${visit(resource)}.${visit(attribute)}>`;
      }
      if (o['Fn::ImportValue'] !== undefined) return visit(o['Fn::ImportValue']);
      if (o.Ref !== undefined) return `<${visit(o.Ref)}>`;
    }
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/** Acknowledges the AwsSolutions-IAM5 finding of one wildcard resource on `scope` (and below). */
export function acknowledgeWildcardResource(scope: IConstruct, resource: unknown, reason: string): void {
  Validations.of(scope).acknowledge({
    id: `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`,
    reason,
  });
}
