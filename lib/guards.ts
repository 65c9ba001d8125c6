/**
 * Guards a first deployment needs: AppFabric's regions only, and an app bundle of the stack's own
 * region and account. Known at synth: a one-line synth error naming the setting. Unknown (an
 * environment-agnostic stack): a CloudFormation `Rules` assertion, which stops the deploy before any
 * resource is created.
 */
import { Aws, CfnRule, Fn, type Stack, Token } from 'aws-cdk-lib';
import { UUID_PATTERN } from '../lambda/contract/limits';
import { InvalidSettingError, type PollerSettings } from '../lambda/contract/settings';

/** The regions AppFabric runs in (its endpoints exist nowhere else). */
export const APPFABRIC_REGIONS = ['us-east-1', 'ap-northeast-1', 'eu-west-1'] as const;

/** Logical IDs of the Rules. */
export const GuardRuleIds = { region: 'AppFabricRegion', appBundle: 'AppBundleOfThisStack' } as const;

/** Adds the guards to `stack`. @throws InvalidSettingError when a guard fails at synth */
export function addDeploymentGuards(stack: Stack, settings: PollerSettings): void {
  const regions = APPFABRIC_REGIONS.join(', ');
  if (Token.isUnresolved(stack.region)) {
    new CfnRule(stack, GuardRuleIds.region, {
      assertions: [
        {
          assert: Fn.conditionContains([...APPFABRIC_REGIONS], Aws.REGION),
          assertDescription: `AppFabric runs in ${regions} only: deploy the stack to one of them`,
        },
      ],
    });
  } else if (!(APPFABRIC_REGIONS as readonly string[]).includes(stack.region)) {
    throw new InvalidSettingError(
      'region',
      `AppFabric runs in ${regions} only: deploy the stack to one of them`,
    );
  }

  const bundle = settings.appBundleIdentifier;
  if (bundle === undefined || UUID_PATTERN.test(bundle)) return;
  // arn:<partition>:appfabric:<region>:<account>:appbundle/<id> (the setting's parser checked the form).
  const [, , , region, account] = bundle.split(':');
  const known = !Token.isUnresolved(stack.region) && !Token.isUnresolved(stack.account);
  if (!Token.isUnresolved(stack.region) && region !== stack.region) {
    throw new InvalidSettingError('appBundleIdentifier', "must be an app bundle of the stack's region");
  }
  if (!Token.isUnresolved(stack.account) && account !== stack.account) {
    throw new InvalidSettingError('appBundleIdentifier', "must be an app bundle of the stack's account");
  }
  if (known) return;
  new CfnRule(stack, GuardRuleIds.appBundle, {
    assertions: [
      {
        assert: Fn.conditionAnd(
          Fn.conditionEquals(Aws.REGION, region),
          Fn.conditionEquals(Aws.ACCOUNT_ID, account),
        ),
        assertDescription:
          "appBundleIdentifier must be an app bundle of the stack's region and account (the function calls it there)",
      },
    ],
  });
}
