package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.runtime.StepResult;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Continuous batching gives every request exactly what it gets alone: rows at different positions
 * (one joins late), with and without EOS, sharing batched decoder steps.
 */
class ParlerBatchStepperTest {

  @ParameterizedTest
  @ValueSource(strings = {"tiny-mini-v1-arch", "tiny-rope-gqa-fused"})
  void batchedRowsMatchSoloRuns(String fixture) {
    Path dir = Fixtures.checkpoint(fixture);
    JsonObject inputs = Fixtures.goldenJson(dir).getAsJsonObject("inputs");
    List<ParlerBatchStepper.Job> jobs = new ArrayList<>();
    int[] maxLengths = {30, 70, 45, 52};
    int i = 0;
    for (String batch : inputs.keySet()) {
      JsonObject in = inputs.getAsJsonObject(batch);
      for (int j = 0; j < in.getAsJsonArray("prompts").size() && i < maxLengths.length; j++, i++) {
        SamplingSettings s = new SamplingSettings(i % 2 == 0, 1, 50, 1, 7 + i, maxLengths[i], 0);
        jobs.add(
            new ParlerBatchStepper.Job(
                in.getAsJsonArray("descriptions").get(j).getAsString(),
                in.getAsJsonArray("prompts").get(j).getAsString(),
                s));
      }
    }
    assertEquals(4, jobs.size());
    DtypePolicy fp32 = new DtypePolicy(DataType.FLOAT32, DataType.FLOAT32, DataType.FLOAT32);
    try (ParlerModel model = ParlerModel.load(dir, Device.cpu(), fp32)) {
      ParlerBatchStepper stepper = new ParlerBatchStepper(model, 3);
      List<ParlerBatchStepper.Row> rows = new ArrayList<>(stepper.join(jobs.subList(0, 3)));
      List<ParlerBatchStepper.Job> rowJobs = new ArrayList<>(jobs.subList(0, 3));
      List<List<Float>> audio = new ArrayList<>();
      for (int r = 0; r < 3; r++) {
        audio.add(new ArrayList<>());
      }
      List<float[]> finishedAudio = new ArrayList<>();
      List<long[][]> finishedTokens = new ArrayList<>();
      List<ParlerBatchStepper.Job> finishedJobs = new ArrayList<>();
      int steps = 0;
      while (!rows.isEmpty()) {
        if (steps == 5) { // a request joins while the others are mid-way
          rows.addAll(stepper.join(jobs.subList(3, 4)));
          rowJobs.add(jobs.get(3));
          audio.add(new ArrayList<>());
        }
        List<StepResult<float[]>> results = stepper.step(rows);
        steps++;
        for (int r = results.size() - 1; r >= 0; r--) {
          StepResult<float[]> result = results.get(r);
          if (result.output() != null) {
            for (float v : result.output()) {
              audio.get(r).add(v);
            }
          }
          if (result.finished()) {
            ParlerBatchStepper.Row row = rows.remove(r);
            finishedTokens.add(row.generation().rawSequences());
            float[] samples = new float[audio.get(r).size()];
            for (int s = 0; s < samples.length; s++) {
              samples[s] = audio.get(r).get(s);
            }
            finishedAudio.add(samples);
            finishedJobs.add(rowJobs.remove(r));
            audio.remove(r);
            stepper.leave(row);
          }
        }
        assertTrue(steps < 200, "rows never finished");
      }
      assertEquals(4, finishedJobs.size());
      for (int f = 0; f < finishedJobs.size(); f++) {
        ParlerBatchStepper.Job job = finishedJobs.get(f);
        try (NDManager scope = model.newRequestManager()) {
          Conditioning c = model.condition(List.of(job.description()), List.of(job.text()), scope);
          Generation solo = model.generate(c, job.settings(), scope, null);
          long[][] expected = solo.rawSequences();
          for (int row = 0; row < expected.length; row++) {
            Tensors.assertIdsEqual(
                job.text() + " row " + row, expected[row], finishedTokens.get(f)[row]);
          }
          Tensors.assertClose(
              job.text() + " audio", model.decodeAudio(solo.codes()).item(0), finishedAudio.get(f));
        }
      }
    }
  }
}
