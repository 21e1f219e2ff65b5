// The message's machine-readable facts (Slack message metadata), the same on the message and its
// thread replies, for other automations. Pure.
import type { MessageMetadata } from '@slack/types';
import type { MessageView } from '../core/view.ts';
import { PHASES } from '../core/vocabulary.ts';
import { pipelineUrlOf } from './lines.ts';

/** The distinct `family:revision` names being deployed, once known. */
export function taskDefinitionsOf(v: MessageView): string[] {
  return [...new Set(v.services.map((s) => s.taskDefinition).filter((t): t is string => Boolean(t)))];
}

/** Machine-readable facts for other automations; the same on the message and its thread replies. */
export function metadataOf(v: MessageView): MessageMetadata {
  const tds = taskDefinitionsOf(v);
  return {
    event_type: 'ecs_deployment',
    event_payload: {
      status: v.stopped ? 'stopped' : v.status,
      phase: v.phase,
      environment: v.environment,
      cluster: v.cluster,
      region: v.region,
      // Slack's payload schema takes arrays of objects, not of strings.
      services: v.services.map((s) => ({
        name: s.service,
        status: s.status,
        task_definition: s.taskDefinition ?? '',
        ...(s.rollsBackFrom ? { rolls_back_from: s.rollsBackFrom } : {}),
      })),
      task_definitions: tds.join(','),
      ref_type: v.ref.type,
      ref: v.ref.name,
      commit: v.commit ?? '',
      started_at: new Date(v.startedAt).toISOString(),
      duration_seconds: Math.round((v.now - v.startedAt) / 1000),
      // When every service reached each phase, in seconds from the start of the watch: a team can
      // chart time to live and time to retire from Slack alone.
      phase_seconds: Object.fromEntries(
        PHASES.flatMap((p) => {
          const at = v.milestones[p];
          return at === undefined ? [] : [[p, Math.round((at - v.startedAt) / 1000)]];
        }),
      ),
      // pipeline_url: what the message's "Pipeline" links to (the deploy's run when known); watch_log_url: the notifier's own.
      ...(pipelineUrlOf(v) ? { pipeline_url: pipelineUrlOf(v) } : {}),
      ...(v.deployBuildUrl && v.buildUrl ? { watch_log_url: v.buildUrl } : {}),
      ...(v.deployedBy ? { deployed_by: v.deployedBy } : {}),
      ...(v.stopped ? { stopped_reason: v.stopped } : {}),
    },
  };
}
