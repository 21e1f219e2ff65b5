// A minimal valid pipe environment for unit tests.
export const validEnv = (): Record<string, string> => ({
  CLUSTER_NAME: 'prod',
  SERVICE_NAME: 'api',
  ENVIRONMENT: 'production',
  BITBUCKET_BRANCH: 'main',
  BITBUCKET_COMMIT: 'a1b2c3d4e5f6a7b8c9d0a1b2c3d4e5f6a7b8c9d0',
  SLACK_TOKEN: 'xoxb-1111-2222-SECRETSECRET',
  SLACK_CHANNEL: '#deploys',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKIAIOSFODNN7EXAMPLE',
  AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY',
});
