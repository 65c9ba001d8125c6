/**
 * The access-review script: each (person, app) cell depends on the address, the app and the seed alone, and
 * `scriptedChanges` lists exactly the cells two seeds make different (the README's example is this list).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { reviewBehaviour, scriptedChanges } from '../../local/review-script';
import { DEMO_APPS } from '../../local/scenarios';

const apps = DEMO_APPS.map((a) => a.app);
const exampleEmails = () =>
  readFileSync(join(__dirname, '..', '..', 'examples', 'review-emails.txt'), 'utf8')
    .split(/\r?\n/)
    .filter(Boolean);

describe('access-review cells', () => {
  it('the README example: seeds 1 and 2 of examples/review-emails.txt differ in these five cells', () => {
    // Act
    const changes = scriptedChanges(exampleEmails(), apps, 1, 2);

    // Assess
    expect(changes.map((c) => `${c.email} ${c.app} ${c.before}->${c.after}`)).toEqual([
      'bo@example.com Slack ACTIVE->NO_ACCOUNT',
      'dara@example.com Okta NO_ACCOUNT->ACTIVE',
      'dara@example.com Zoom NO_ACCOUNT->ACTIVE',
      'eli@example.com Slack NO_ACCOUNT->ACTIVE',
      'eli@example.com Zoom NO_ACCOUNT->ACTIVE',
    ]);
  });

  it('the same seed changes nothing, and a cell does not depend on the other addresses or on case', () => {
    // Prepare
    const emails = exampleEmails();

    // Act
    const same = scriptedChanges(emails, apps, 7, 7);
    const alone = reviewBehaviour('BO@example.com', 'Slack', 2);
    const inList = reviewBehaviour('bo@example.com', 'Slack', 2);

    // Assess
    expect(same).toEqual([]);
    expect(alone).toEqual(inList);
  });

  it('a no-account cell fails with USER_NOT_FOUND; an access cell completes with its userStatus', () => {
    // Act
    const removed = reviewBehaviour('bo@example.com', 'Slack', 2);
    const kept = reviewBehaviour('bo@example.com', 'Slack', 1);

    // Assess
    expect(removed).toMatchObject({ outcome: 'FAILED', taskError: { errorCode: 'USER_NOT_FOUND' } });
    expect(kept).toMatchObject({ outcome: 'COMPLETED', user: { userStatus: 'ACTIVE' } });
  });
});
