// Elastic Load Balancing v2, Query protocol (form body, XML reply): target health, rules,
// listeners, target groups and their attributes, from the model.
import { type AccountModel, esc, type FakeShift, lbArn } from './model.ts';

export function elbApi(a: AccountModel, op: string, form: Record<string, string>): { status: number; body: string } {
  if (op === 'DescribeRules') return describeRules(a, form);
  if (op === 'DescribeTargetGroups') return describeTargetGroups(a, form);
  if (op === 'DescribeTargetGroupAttributes') return describeTargetGroupAttributes(a, form);
  if (op !== 'DescribeTargetHealth') return { status: 400, body: '<ErrorResponse><Error><Code>InvalidAction</Code></Error></ErrorResponse>' };
  const targets = a.targets.get(form.TargetGroupArn ?? '');
  if (!targets) {
    return {
      status: 400,
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>Target groups '${esc(form.TargetGroupArn ?? '')}' not found</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    };
  }
  // Include=AnomalyDetection (or All) adds each target's anomaly detection (API_DescribeTargetHealth.html,
  // API_TargetHealthDescription.html, API_AnomalyDetection.html: Result anomalous|normal, MitigationInEffect yes|no).
  const include = Object.entries(form).some(([k, v]) => k.startsWith('Include.member.') && (v === 'AnomalyDetection' || v === 'All'));
  const anomaly = (t: { anomalous?: boolean }) =>
    include ? `<AnomalyDetection><Result>${t.anomalous ? 'anomalous' : 'normal'}</Result><MitigationInEffect>no</MitigationInEffect></AnomalyDetection>` : '';
  const members = targets
    .map(
      (t) =>
        `<member><Target><Id>${esc(t.id)}</Id><Port>${t.port}</Port></Target><HealthCheckPort>${t.port}</HealthCheckPort><TargetHealth><State>${t.state}</State>${
          t.reason ? `<Reason>${t.reason}</Reason>` : ''
        }${t.description ? `<Description>${esc(t.description)}</Description>` : ''}</TargetHealth>${anomaly(t)}</member>`,
    )
    .join('');
  return {
    status: 200,
    body: `<DescribeTargetHealthResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetHealthResult><TargetHealthDescriptions>${members}</TargetHealthDescriptions></DescribeTargetHealthResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetHealthResponse>`,
  };
}

/**
 * The production listener rules of blue/green services: a forward action with both target groups
 * and their weights (https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeRules.html,
 * https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_ForwardActionConfig.html).
 */
export function describeRules(a: AccountModel, form: Record<string, string>): { status: number; body: string } {
  const arns = Object.entries(form)
    .filter(([k]) => k.startsWith('RuleArns.member.'))
    .map(([, v]) => v);
  const shifts = [...a.services.values()].flatMap((s) => (s.shift ? [s.shift] : []));
  const missing = arns.filter((arn) => !shifts.some((sh) => sh.listenerRule === arn));
  if (missing.length) {
    return {
      status: 400,
      body: `<ErrorResponse><Error><Type>Sender</Type><Code>RuleNotFound</Code><Message>One or more rules not found</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    };
  }
  const members = arns
    .map((arn) => {
      const sh = shifts.find((x) => x.listenerRule === arn) as FakeShift;
      const groups = [...sh.weights].map(([tg, w]) => `<member><TargetGroupArn>${esc(tg)}</TargetGroupArn><Weight>${w}</Weight></member>`).join('');
      return `<member><IsDefault>false</IsDefault><Conditions><member><Field>path-pattern</Field><Values><member>/*</member></Values></member></Conditions><Priority>10</Priority><Actions><member><Type>forward</Type><Order>1</Order><ForwardConfig><TargetGroups>${groups}</TargetGroups><TargetGroupStickinessConfig><Enabled>false</Enabled></TargetGroupStickinessConfig></ForwardConfig></member></Actions><RuleArn>${esc(arn)}</RuleArn></member>`;
    })
    .join('');
  return {
    status: 200,
    body: `<DescribeRulesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeRulesResult><Rules>${members}</Rules></DescribeRulesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeRulesResponse>`,
  };
}

/** https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroups.html */
export function describeTargetGroups(a: AccountModel, form: Record<string, string>): { status: number; body: string } {
  // By ARN (TargetGroupArns), or by name (Names: how CodeDeploy names a task set's group).
  const names = Object.entries(form)
    .filter(([k]) => k.startsWith('Names.member.'))
    .map(([, v]) => v);
  const arns = [
    ...Object.entries(form)
      .filter(([k]) => k.startsWith('TargetGroupArns.member.'))
      .map(([, v]) => v),
    ...[...a.targets.keys()].filter((arn) => names.includes(arn.split('/')[1] ?? '')),
  ];
  const { intervalSeconds, healthyThreshold, protocol } = a.targetGroupSettings;
  // A Network Load Balancer's TCP group checks a TCP connection: no path, no matcher (API_TargetGroup.html).
  const http = protocol === 'HTTP' ? '<HealthCheckPath>/health</HealthCheckPath><Matcher><HttpCode>200</HttpCode></Matcher>' : '';
  // The load balancers that route to the group (TargetGroup.LoadBalancerArns): an ALB's for HTTP groups, an NLB's for TCP ones.
  const balancers = `<LoadBalancerArns><member>${esc(lbArn(protocol === 'HTTP' ? 'app' : 'net'))}</member></LoadBalancerArns>`;
  const members = arns
    .filter((arn) => a.targets.has(arn))
    .map(
      (arn) =>
        `<member><TargetGroupArn>${esc(arn)}</TargetGroupArn><TargetGroupName>${esc(arn.split('/')[1] ?? '')}</TargetGroupName><Protocol>${protocol}</Protocol><Port>8080</Port><VpcId>vpc-0f1e2d3c</VpcId><HealthCheckProtocol>${protocol}</HealthCheckProtocol><HealthCheckPort>traffic-port</HealthCheckPort><HealthCheckEnabled>true</HealthCheckEnabled><HealthCheckIntervalSeconds>${intervalSeconds}</HealthCheckIntervalSeconds><HealthCheckTimeoutSeconds>5</HealthCheckTimeoutSeconds><HealthyThresholdCount>${healthyThreshold}</HealthyThresholdCount><UnhealthyThresholdCount>2</UnhealthyThresholdCount>${http}${balancers}<TargetType>ip</TargetType></member>`,
    )
    .join('');
  return {
    status: 200,
    body: `<DescribeTargetGroupsResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetGroupsResult><TargetGroups>${members}</TargetGroups></DescribeTargetGroupsResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupsResponse>`,
  };
}

/** https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_DescribeTargetGroupAttributes.html */
export function describeTargetGroupAttributes(a: AccountModel, form: Record<string, string>): { status: number; body: string } {
  const attributes = {
    'deregistration_delay.timeout_seconds': String(a.targetGroupSettings.deregistrationDelaySeconds),
    'stickiness.enabled': 'false',
    'load_balancing.algorithm.type': 'round_robin',
    'slow_start.duration_seconds': '0',
  };
  if (!a.targets.has(form.TargetGroupArn ?? '')) {
    return {
      status: 400,
      body: '<ErrorResponse><Error><Type>Sender</Type><Code>TargetGroupNotFound</Code><Message>One or more target groups not found</Message></Error><RequestId>r</RequestId></ErrorResponse>',
    };
  }
  const members = Object.entries(attributes)
    .map(([k, v]) => `<member><Key>${k}</Key><Value>${v}</Value></member>`)
    .join('');
  return {
    status: 200,
    body: `<DescribeTargetGroupAttributesResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"><DescribeTargetGroupAttributesResult><Attributes>${members}</Attributes></DescribeTargetGroupAttributesResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeTargetGroupAttributesResponse>`,
  };
}
