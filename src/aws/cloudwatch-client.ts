// CloudWatch: the load balancer's metrics (VERIFY, on by default) and the alarms behind a rollback.
// Bundled into a file of its own (scripts/bundle.mjs), loaded at its first use: in the file of the
// other clients only some runs need (extra-clients.ts), every verifying run loaded CodeDeploy, CloudWatch
// Logs, ECR and the YAML parser with it, and a 150-task watch peaked about 10 MB higher (bench/RESULTS.md).
export { CloudWatchClient, DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
