package dev.parlance.tts.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.kernel.WeightFormat;
import org.junit.jupiter.api.Test;

class DtypePolicyTest {

  private static final GpuProbe HOPPER = new DeviceSelectorTest.StubProbe(1, 90);
  private static final GpuProbe TURING = new DeviceSelectorTest.StubProbe(1, 75);
  private static final GpuProbe NO_GPU = DeviceSelectorTest.NO_GPU;

  private static DtypePolicy resolve(String setting, Device device, GpuProbe probe) {
    DtypePolicy policy = DtypePolicy.resolve(setting, device, probe);
    // the DAC stays in float32 whatever the decoder runs in; T5 is float32 or bfloat16, never fp16
    assertEquals(DataType.FLOAT32, policy.audioDecoder());
    WeightFormat t5 = policy.textEncoderWeights();
    assertEquals(
        policy.decoderWeights().packed() ? WeightFormat.BFLOAT16 : WeightFormat.FLOAT32, t5);
    return policy;
  }

  @Test
  void autoIsFloat32OnCpu() {
    assertEquals(WeightFormat.FLOAT32, resolve("auto", Device.cpu(), NO_GPU).decoderWeights());
    assertEquals(WeightFormat.FLOAT32, resolve(null, Device.cpu(), NO_GPU).decoderWeights());
    assertEquals(DataType.FLOAT32, resolve(null, Device.cpu(), NO_GPU).decoder());
  }

  @Test
  void autoOnGpuIsBf16WhereSupportedElseFp16() {
    assertEquals(WeightFormat.BFLOAT16, resolve("auto", Device.gpu(0), HOPPER).decoderWeights());
    assertEquals(WeightFormat.FLOAT16, resolve("auto", Device.gpu(0), TURING).decoderWeights());
    GpuProbe unknown = new DeviceSelectorTest.StubProbe(1, -1);
    assertEquals(WeightFormat.FLOAT16, resolve("auto", Device.gpu(0), unknown).decoderWeights());
  }

  @Test
  void explicitSettingsOverride() {
    assertEquals(WeightFormat.FLOAT32, resolve("float32", Device.gpu(0), HOPPER).decoderWeights());
    assertEquals(WeightFormat.FLOAT16, resolve("float16", Device.gpu(0), HOPPER).decoderWeights());
    assertEquals(WeightFormat.FLOAT16, resolve("Float16", Device.cpu(), NO_GPU).decoderWeights());
    assertEquals(
        WeightFormat.BFLOAT16, resolve("bfloat16", Device.gpu(0), HOPPER).decoderWeights());
    assertEquals(WeightFormat.BFLOAT16, resolve("bfloat16", Device.cpu(), NO_GPU).decoderWeights());
    assertEquals(WeightFormat.INT8, resolve("int8", Device.cpu(), NO_GPU).decoderWeights());
  }

  @Test
  void packedFormatsKeepFloat32ActivationsHalfKeepsHalf() {
    // DJL cannot hold bf16 arrays: only the packed weights are bf16/int8, never the activations
    assertEquals(DataType.FLOAT32, resolve("bfloat16", Device.gpu(0), HOPPER).decoder());
    assertEquals(DataType.FLOAT32, resolve("int8", Device.cpu(), NO_GPU).decoder());
    assertEquals(DataType.FLOAT16, resolve("float16", Device.cpu(), NO_GPU).decoder());
  }

  @Test
  void int8OnGpuIsRejectedWithTheReason() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DtypePolicy.resolve("int8", Device.gpu(0), HOPPER));
    assertTrue(e.getMessage().startsWith("dtype:"), e.getMessage());
    assertTrue(e.getMessage().contains("CPU"), e.getMessage());
  }

  @Test
  void bf16OnPreAmpereGpuIsRejected() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> DtypePolicy.resolve("bfloat16", Device.gpu(0), TURING));
    assertTrue(e.getMessage().contains("7.5"), e.getMessage());
  }

  @Test
  void unknownSettingNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DtypePolicy.resolve("fp8", Device.cpu(), NO_GPU));
    assertTrue(e.getMessage().startsWith("dtype:"), e.getMessage());
    assertTrue(e.getMessage().contains("'fp8'"), e.getMessage());
  }
}
