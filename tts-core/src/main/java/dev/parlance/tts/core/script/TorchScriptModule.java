package dev.parlance.tts.core.script;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * A stateless TorchScript module compiled from source onto one device. It lives as long as the
 * process, like libtorch's own kernels: its manager is never closed. Methods must be pure, so one
 * module serves every thread.
 */
public final class TorchScriptModule {
  private final PtSymbolBlock module;
  private final NDManager owner;

  private TorchScriptModule(PtSymbolBlock module, NDManager owner) {
    this.module = module;
    this.owner = owner;
  }

  /**
   * @param className the module class's name
   * @param methods its methods, indented two spaces, in the serialized dialect: {@code self}
   *     annotated as {@code __torch__.<className>}, dtypes as ScalarType numbers
   */
  public static TorchScriptModule compile(Device device, String className, String methods) {
    String source =
        String.join(
            "\n",
            "class " + className + "(Module):",
            "  __parameters__ = []",
            "  __buffers__ = []",
            "  training : bool",
            "  def forward(self: __torch__." + className + ", x: Tensor) -> Tensor:",
            "    return x",
            methods);
    byte[] archive = TorchScriptArchive.of(className, source);
    NDManager owner = NDManager.newBaseManager(device, "PyTorch");
    try {
      PtSymbolBlock module =
          JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive), true, false);
      owner.attachInternal(UUID.randomUUID().toString(), module);
      return new TorchScriptModule(module, owner);
    } catch (IOException | RuntimeException e) {
      owner.close();
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  /** Runs {@code method}; the caller owns (closes) the arguments and the result. */
  public IValue run(String method, IValue... args) {
    return IValueUtils.runMethod(module, method, args);
  }

  /** A manager on the module's device that lives as long as the module. */
  public NDManager manager() {
    return owner;
  }
}
