// TEST ONLY. A job entry that records what the worker was assigned, for the Java test to check.
import { defineAgent } from '@livekit/agents';
import { renameSync, writeFileSync } from 'node:fs';

export default defineAgent({
  entry: async (ctx) => {
    const seen = {
      jobId: ctx.job.id,
      dispatchId: ctx.job.dispatchId,
      room: ctx.job.room?.name,
      metadata: ctx.job.metadata,
      agentName: ctx.job.agentName,
      url: ctx.info.url,
      token: ctx.info.token,
      workerId: ctx.workerId,
    };
    const file = process.env.MARKER_FILE;
    writeFileSync(file + '.tmp', JSON.stringify(seen));
    renameSync(file + '.tmp', file);
    ctx.shutdown('recorded');
  },
});
