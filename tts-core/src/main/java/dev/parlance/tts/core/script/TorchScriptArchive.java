package dev.parlance.tts.core.script;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes the smallest TorchScript archive libtorch loads: one stateless module class given as
 * TorchScript source, which libtorch compiles at load time. This is how we reach PyTorch ops that
 * DJL has no binding for, with no Python and no exported file.
 *
 * <p>Layout (as {@code torch.jit.save} writes it): {@code data.pkl} pickles the module object
 * (class {@code __torch__.<name>} with its {@code training} flag), {@code code/__torch__.py} holds
 * the class source, {@code constants.pkl} an empty tuple, {@code version} the file format version.
 */
final class TorchScriptArchive {
  private static final String ROOT = "archive/";
  private static final String FORMAT_VERSION = "3\n";

  private TorchScriptArchive() {}

  /**
   * @param className the module class defined in {@code source}
   * @param source TorchScript source of {@code class <className>(Module)}, in the serialized
   *     dialect (annotated {@code self}, dtypes as ScalarType numbers)
   */
  static byte[] of(String className, String source) {
    ByteArrayOutputStream zip = new ByteArrayOutputStream();
    try (ZipOutputStream out = new ZipOutputStream(zip)) {
      put(out, "data.pkl", moduleObject(className));
      put(out, "code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
      put(out, "constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
      put(out, "version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return zip.toByteArray();
  }

  /** Pickle protocol 2: __torch__.className() with state {'training': False}. */
  private static byte[] moduleObject(String className) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.writeBytes(new byte[] {(byte) 0x80, 2}); // PROTO 2
    p.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII)); // GLOBAL
    p.writeBytes(new byte[] {')', (byte) 0x81, '}', '('}); // EMPTY_TUPLE NEWOBJ EMPTY_DICT MARK
    byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
    p.writeBytes(new byte[] {'X', (byte) key.length, 0, 0, 0}); // BINUNICODE, 4-byte length
    p.writeBytes(key);
    p.writeBytes(new byte[] {(byte) 0x89, 'u', 'b', '.'}); // NEWFALSE SETITEMS BUILD STOP
    return p.toByteArray();
  }

  /** Stored, not deflated, as libtorch's reader expects of tensor data (and accepts for all). */
  private static void put(ZipOutputStream out, String name, byte[] bytes) throws IOException {
    ZipEntry e = new ZipEntry(ROOT + name);
    e.setMethod(ZipEntry.STORED);
    e.setSize(bytes.length);
    CRC32 crc = new CRC32();
    crc.update(bytes);
    e.setCrc(crc.getValue());
    out.putNextEntry(e);
    out.write(bytes);
    out.closeEntry();
  }
}
