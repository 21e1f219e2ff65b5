// The AWS SDK clients only some runs need: CodeDeploy (CODE_DEPLOY services), CloudWatch Logs
// (a failed container's or Lambda hook's last lines) and ECR (an image's revision label, for what
// changed), with the YAML parser that reads a CodeDeploy AppSpec's hooks. Loaded at their first use, from a file of their own beside the
// bundle (scripts/bundle.mjs), so that every other run neither parses nor ships them in its start-up.
export { CloudWatchLogsClient, FilterLogEventsCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
export { CodeDeployClient, GetDeploymentCommand, GetDeploymentTargetCommand } from '@aws-sdk/client-codedeploy';
export { BatchGetImageCommand, ECRClient, GetDownloadUrlForLayerCommand } from '@aws-sdk/client-ecr';
export { parse as parseYaml } from 'yaml';
