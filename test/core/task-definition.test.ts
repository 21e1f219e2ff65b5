import { expect } from 'chai';
import { parseTaskDefinitionRef, rolledBackFrom, sameTaskDefinition, shortName } from '../../src/core/task-definition.ts';

const ARN = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api:42';

describe('task-definition', () => {
  const table: Array<[string, ReturnType<typeof parseTaskDefinitionRef>]> = [
    ['shop-api:42', { family: 'shop-api', revision: 42 }],
    [ARN, { family: 'shop-api', revision: 42, arn: ARN }],
    [
      'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/api_v2:7',
      { family: 'api_v2', revision: 7, arn: 'arn:aws-us-gov:ecs:us-gov-west-1:123456789012:task-definition/api_v2:7' },
    ],
    ['shop-api', undefined],
    ['shop-api:latest', undefined],
    ['shop-api:0', undefined],
    ['shop api:1', undefined],
    ['arn:aws:ecs:eu-west-1:123456789012:task-definition/shop-api', undefined],
  ];
  for (const [input, expected] of table) it(`parses ${JSON.stringify(input)}`, () => expect(parseTaskDefinitionRef(input)).to.deep.equal(expected));

  it('compares ARNs with short names by family and revision', () => {
    expect(sameTaskDefinition(ARN, { family: 'shop-api', revision: 42 })).to.equal(true);
    expect(sameTaskDefinition(ARN, 'shop-api:41')).to.equal(false);
    expect(sameTaskDefinition(ARN, ARN.replace('123456789012', '210987654321'))).to.equal(false);
  });

  it('shortens ARNs to family:revision for people', () => {
    expect(shortName(ARN)).to.equal('shop-api:42');
    expect(shortName('not an arn')).to.equal('not an arn');
  });

  it('a deploy of an older revision than one that ran before rolls back from the newest of those', () => {
    const arn = (r: number, family = 'shop-api') => `arn:aws:ecs:eu-west-1:123456789012:task-definition/${family}:${r}`;
    expect(rolledBackFrom(arn(41), [arn(42), arn(40)])).to.equal('shop-api:42');
    expect(rolledBackFrom(arn(41), [arn(43), arn(42)])).to.equal('shop-api:43');
    // Newer, the same, another family, or nothing before: no rollback.
    expect(rolledBackFrom(arn(43), [arn(42)])).to.equal(undefined);
    expect(rolledBackFrom(arn(42), [arn(42)])).to.equal(undefined);
    expect(rolledBackFrom(arn(41), [arn(42, 'shop-web')])).to.equal(undefined);
    expect(rolledBackFrom(arn(41), [])).to.equal(undefined);
  });
});
