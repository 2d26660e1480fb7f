package dev.r1.model;

import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Compiles TorchScript source written in Java into a module that libtorch runs, with no Python: the
 * source goes into a TorchScript archive (a zip holding {@code code/__torch__.py}, a pickled module
 * object, an empty constants table and a format version), which {@code torch::jit::load} compiles.
 *
 * <p>The modules hold no tensors (weights are passed as arguments), so one compiled module serves
 * every model of the same configuration; modules are cached by source and live for the process.
 * TorchScript methods may run concurrently on several threads.
 */
final class TorchScriptModule {

  private static final NDManager MANAGER = NDManager.newBaseManager("PyTorch");
  private static final Map<String, PtSymbolBlock> CACHE = new ConcurrentHashMap<>();

  /** Archive format version: 10 keeps today's operator semantics (below 4, old int division). */
  private static final String FORMAT_VERSION = "10\n";

  private TorchScriptModule() {}

  /**
   * The module of class {@code __torch__.<className>} defined by {@code source} (the text of {@code
   * code/__torch__.py}: top-level functions called as {@code __torch__.f(...)}, then the class).
   *
   * @throws IllegalStateException with libtorch's message (file and line) if the source does not
   *     compile
   */
  static PtSymbolBlock compile(String className, String source) {
    return CACHE.computeIfAbsent(
        className + "\n" + source,
        k -> {
          byte[] archive = archive(className, source);
          try {
            return JniUtils.loadModule(
                (PtNDManager) MANAGER, new ByteArrayInputStream(archive), true, false);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          } catch (RuntimeException e) {
            throw new IllegalStateException(
                "TorchScript module " + className + " does not compile: " + e.getMessage(), e);
          }
        });
  }

  /** The archive bytes: every entry under one root folder, stored uncompressed. */
  static byte[] archive(String className, String source) {
    Map<String, byte[]> entries = new LinkedHashMap<>();
    entries.put("archive/data.pkl", modulePickle(className));
    entries.put("archive/code/__torch__.py", source.getBytes(StandardCharsets.UTF_8));
    entries.put("archive/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
    entries.put("archive/version", FORMAT_VERSION.getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(out)) {
      for (Map.Entry<String, byte[]> e : entries.entrySet()) {
        byte[] data = e.getValue();
        ZipEntry entry = new ZipEntry(e.getKey());
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        entry.setCompressedSize(data.length);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /**
   * Pickle (protocol 2) of an instance of {@code __torch__.<className>} whose only attribute is
   * {@code training = False}: GLOBAL, EMPTY_TUPLE, NEWOBJ, then a dict set by BUILD.
   */
  static byte[] modulePickle(String className) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(0x80); // PROTO
    b.write(2);
    b.writeBytes(("c__torch__\n" + className + "\n").getBytes(StandardCharsets.US_ASCII));
    b.write(')'); // EMPTY_TUPLE
    b.write(0x81); // NEWOBJ
    b.write('}'); // EMPTY_DICT
    b.write('('); // MARK
    b.write('X'); // BINUNICODE, 4-byte little-endian length
    b.writeBytes(new byte[] {8, 0, 0, 0});
    b.writeBytes("training".getBytes(StandardCharsets.US_ASCII));
    b.write(0x89); // NEWFALSE
    b.write('u'); // SETITEMS
    b.write('b'); // BUILD
    b.write('.'); // STOP
    return b.toByteArray();
  }
}
