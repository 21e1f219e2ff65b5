// The AWS SDK clients only some runs need: CodeDeploy (CODE_DEPLOY services) and CloudWatch Logs
// (a failed container's last lines). Loaded at their first use, from a file of their own beside the
// bundle (scripts/bundle.mjs), so that every other run neither parses nor ships them in its start-up.
export { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
export { CodeDeployClient, GetDeploymentCommand, GetDeploymentTargetCommand } from '@aws-sdk/client-codedeploy';
