import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.bouncycastle.crypto.engines.DESEngine;
import org.bouncycastle.crypto.macs.ISO9797Alg3Mac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOException;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.jpos.iso.channel.NACChannel;
import org.jpos.iso.packager.ISO87BPackager;

/**
 * A scripted ISO 8583 terminal on jPOS (AGPL: run only as a separate test process, see README.md):
 * a NACChannel with ISO87BPackager and a TPDU header, driven by one JSON step per stdin line and
 * answering one JSON line per step on stdout (the first line reports the initial connection).
 * MACs are ANSI X9.19 (ISO 9797-1 algorithm 3, padding method 1) by BouncyCastle, not by our code.
 */
public class IsoClient {
  static final ObjectMapper JSON = new ObjectMapper();
  static final ISO87BPackager PACKAGER = new ISO87BPackager();
  static final int MAC_BYTES = 8;

  /** What the receiver thread hands over: a message, a frame jPOS could not unpack, or the end of the connection. */
  sealed interface Inbound permits Received, Garbled, Closed {}
  record Received(ISOMsg msg, byte[] image, long at) implements Inbound {}
  record Garbled(byte[] header, byte[] image, String reason, long at) implements Inbound {}
  record Closed(String reason, long at) implements Inbound {}

  /** NACChannel keeping the images it packed and unpacked (what the MAC covers), and writing raw bytes. */
  static final class TappedChannel extends NACChannel {
    byte[] lastPacked;
    byte[] lastImage;

    TappedChannel(String host, int port, byte[] tpdu) {
      super(host, port, PACKAGER, tpdu);
    }

    @Override
    protected byte[] pack(ISOMsg m) throws ISOException {
      lastPacked = super.pack(m);
      return lastPacked;
    }

    @Override
    protected void unpack(ISOMsg m, byte[] b) throws ISOException {
      lastImage = b;
      super.unpack(m, b);
    }

    @Override
    protected byte[] readHeader(int len) throws IOException {
      lastImage = null;
      return super.readHeader(len);
    }

    void writeRaw(byte[] bytes) throws IOException {
      serverOutLock.lock();
      try {
        serverOut.write(bytes);
        serverOut.flush();
      } finally {
        serverOutLock.unlock();
      }
    }
  }

  final String host;
  final int port;
  final byte[] tpdu;
  final long defaultTimeout;
  final PrintStream out;
  TappedChannel channel;
  BlockingQueue<Inbound> inbox;
  boolean peerClosed;

  IsoClient(String host, int port, byte[] tpdu, long defaultTimeout, PrintStream out) {
    this.host = host;
    this.port = port;
    this.tpdu = tpdu;
    this.defaultTimeout = defaultTimeout;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String host = "127.0.0.1";
    int port = 0;
    String tpdu = "6000010000";
    long timeout = 10_000;
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--host" -> host = args[i + 1];
        case "--port" -> port = Integer.parseInt(args[i + 1]);
        case "--tpdu" -> tpdu = args[i + 1];
        case "--timeout" -> timeout = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    if (port <= 0) throw new IllegalArgumentException("--port is required");
    // stdout carries only the JSON lines; anything else a library prints goes to stderr.
    PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true, StandardCharsets.UTF_8);
    System.setOut(System.err);
    IsoClient client = new IsoClient(host, port, ISOUtil.hex2byte(tpdu), timeout, out);
    client.emit(client.connect(JSON.createObjectNode()));
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) {
      if (line.isBlank()) continue;
      client.emit(client.step(line));
    }
    client.disconnect(JSON.createObjectNode());
  }

  void emit(ObjectNode answer) {
    out.println(answer.toString());
  }

  ObjectNode step(String line) {
    ObjectNode result = JSON.createObjectNode();
    JsonNode step;
    try {
      step = JSON.readTree(line);
      if (step == null || !step.isObject()) throw new IllegalArgumentException("a step is a JSON object");
    } catch (Exception e) {
      return fail(result, "bad-step", e.getMessage());
    }
    if (step.has("id")) result.set("id", step.get("id"));
    String op = step.path("op").asText(step.has("mti") ? "send" : "");
    result.put("op", op);
    try {
      return switch (op) {
        case "send" -> send(step, result);
        case "raw" -> raw(step, result);
        case "disconnect" -> disconnect(result);
        case "reconnect", "connect" -> { disconnect(JSON.createObjectNode()); yield connect(result); }
        default -> fail(result, "bad-step", "unknown op " + op + " (send, raw, disconnect, reconnect)");
      };
    } catch (IllegalArgumentException | ISOException e) {
      return fail(result, "bad-step", e.getMessage());
    }
  }

  ObjectNode connect(ObjectNode result) {
    result.put("op", "connect");
    long start = System.nanoTime();
    TappedChannel ch = new TappedChannel(host, port, tpdu);
    try {
      ch.connect();
    } catch (IOException e) {
      return fail(result, "connect-failed", e.toString());
    }
    BlockingQueue<Inbound> q = new LinkedBlockingQueue<>();
    Thread.ofPlatform().daemon().name("iso-receiver").start(() -> receive(ch, q));
    channel = ch;
    inbox = q;
    peerClosed = false;
    result.put("ok", true);
    result.put("elapsedMs", millisSince(start));
    return result;
  }

  static void receive(TappedChannel ch, BlockingQueue<Inbound> q) {
    while (true) {
      try {
        ISOMsg m = ch.receive();
        q.add(new Received(m, ch.lastImage, System.nanoTime()));
      } catch (ISOException e) {
        // The whole frame was read (its length prefix said how much): the stream is still aligned.
        q.add(new Garbled(null, ch.lastImage, e.getMessage(), System.nanoTime()));
      } catch (IOException | RuntimeException e) {
        q.add(new Closed(e.toString(), System.nanoTime()));
        return;
      }
    }
  }

  ObjectNode disconnect(ObjectNode result) {
    result.put("op", "disconnect");
    if (channel != null) {
      try {
        channel.disconnect();
      } catch (IOException e) {
        // already gone: nothing to release
      }
    }
    channel = null;
    inbox = null;
    result.put("ok", true);
    return result;
  }

  ObjectNode send(JsonNode step, ObjectNode result) throws ISOException {
    String mti = step.path("mti").asText();
    ISOMsg m = new ISOMsg(mti);
    m.setPackager(PACKAGER);
    if (step.has("tpdu")) {
      // NACChannel swaps the addresses of a message's own header (it takes it for a reply's): swap first.
      byte[] t = ISOUtil.hex2byte(step.get("tpdu").asText());
      if (t.length != 5) throw new IllegalArgumentException("a TPDU is 10 hex digits");
      m.setHeader(new byte[] {t[0], t[3], t[4], t[1], t[2]});
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = step.path("fields").fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      int n = Integer.parseInt(e.getKey());
      if (n < 2 || n > 128) throw new IllegalArgumentException("field " + n + " is not 2 to 128");
      String v = e.getValue().asText();
      if (v.startsWith("b:")) m.set(new ISOBinaryField(n, ISOUtil.hex2byte(v.substring(2))));
      else m.set(n, v);
    }
    byte[] key = step.has("mac") ? macKey(step.get("mac").asText()) : null;
    if (key != null) {
      int field = m.getMaxField() > 64 ? 128 : 64;
      m.set(new ISOBinaryField(field, new byte[MAC_BYTES]));
      byte[] image = m.pack();
      m.set(new ISOBinaryField(field, mac(key, Arrays.copyOf(image, image.length - MAC_BYTES))));
    }
    // The STAN as it goes on the wire (jPOS pads numeric fields), to match the answer's.
    ISOMsg packed = new ISOMsg();
    packed.setPackager(PACKAGER);
    packed.unpack(m.pack());
    String stan = packed.hasField(11) ? packed.getString(11) : null;
    return exchange(step, result, key, stan, () -> {
      channel.lastPacked = null;
      channel.send(m);
      return channel.lastPacked != null ? channel.lastPacked : m.pack();
    });
  }

  ObjectNode raw(JsonNode step, ObjectNode result) {
    String hex = step.path("hex").asText();
    if (!hex.matches("(?:[0-9A-Fa-f]{2})*")) throw new IllegalArgumentException("raw hex must be hex digits in pairs");
    byte[] bytes = ISOUtil.hex2byte(hex);
    byte[] key = step.has("mac") ? macKey(step.get("mac").asText()) : null;
    return exchange(step, result, key, null, () -> {
      channel.writeRaw(bytes);
      return bytes;
    });
  }

  interface Writer {
    byte[] write() throws IOException, ISOException;
  }

  /** Writes a request and awaits what the step expects: an answer (matched by STAN when both carry one), no answer, or the close. */
  ObjectNode exchange(JsonNode step, ObjectNode result, byte[] key, String stan, Writer writer) {
    if (channel == null) return fail(result, "not-connected", "disconnected: send a reconnect step first");
    ArrayNode unmatched = JSON.createArrayNode();
    drain(unmatched);
    if (peerClosed) return withUnmatched(fail(result, "closed", "the server closed the connection"), unmatched);
    long timeout = step.path("timeoutMs").asLong(defaultTimeout);
    boolean expectNoAnswer = step.path("expectNoAnswer").asBoolean(false);
    boolean expectClose = step.path("expectClose").asBoolean(false);
    long start = System.nanoTime();
    try {
      result.put("sent", hex(writer.write()));
    } catch (IOException | ISOException e) {
      return withUnmatched(fail(result, "send-failed", e.toString()), unmatched);
    }
    if (step.path("noWait").asBoolean(false)) {
      result.put("ok", true);
      return withUnmatched(result, unmatched);
    }
    long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeout);
    while (true) {
      Inbound in;
      try {
        in = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return fail(result, "interrupted", e.toString());
      }
      if (in == null) {
        result.put("elapsedMs", millisSince(start));
        if (expectNoAnswer) result.put("ok", true).put("noAnswer", true);
        else fail(result, "timeout", "no answer within " + timeout + " ms");
        return withUnmatched(result, unmatched);
      }
      if (in instanceof Closed c) {
        peerClosed = true;
        result.put("elapsedMs", (c.at() - start) / 1_000_000);
        if (expectClose) result.put("ok", true).put("closed", true);
        else fail(result, "closed", "the server closed the connection: " + c.reason());
        return withUnmatched(result, unmatched);
      }
      if (in instanceof Received r && stan != null && r.msg().hasField(11) && !stan.equals(r.msg().getString(11))) {
        unmatched.add(describe(r, null));
        continue;
      }
      ObjectNode answer = in instanceof Received r ? describe(r, key) : describe((Garbled) in);
      answer.put("elapsedMs", ((in instanceof Received r ? r.at() : ((Garbled) in).at()) - start) / 1_000_000);
      result.setAll(answer);
      if (expectNoAnswer || expectClose) fail(result, "unexpected-answer", "an answer came where " + (expectClose ? "the close" : "none") + " was expected");
      else if (in instanceof Garbled g) fail(result, "unpack", "jPOS could not unpack the answer: " + g.reason());
      else result.put("ok", true);
      return withUnmatched(result, unmatched);
    }
  }

  /** Moves messages that arrived before this step's request (late answers to earlier steps) to `unmatched`. */
  void drain(ArrayNode unmatched) {
    for (Inbound in; (in = inbox.poll()) != null; ) {
      if (in instanceof Closed) peerClosed = true;
      else if (in instanceof Received r) unmatched.add(describe(r, null));
      else unmatched.add(describe((Garbled) in));
    }
  }

  static ObjectNode withUnmatched(ObjectNode result, ArrayNode unmatched) {
    if (!unmatched.isEmpty()) result.set("unmatched", unmatched);
    return result;
  }

  static ObjectNode describe(Received r, byte[] key) {
    ObjectNode a = JSON.createObjectNode();
    ISOMsg m = r.msg();
    try {
      a.put("mti", m.getMTI());
    } catch (ISOException e) {
      a.putNull("mti");
    }
    ObjectNode fields = a.putObject("fields");
    for (int i = 2; i <= m.getMaxField(); i++) {
      if (!m.hasField(i)) continue;
      fields.put(String.valueOf(i), m.getComponent(i) instanceof ISOBinaryField ? "b:" + hex(m.getBytes(i)) : m.getString(i));
    }
    a.put("tpdu", m.getHeader() != null ? hex(m.getHeader()) : null);
    a.put("raw", r.image() != null ? hex(r.image()) : null);
    if (r.image() != null && m.getHeader() != null) a.put("frame", hex(frame(m.getHeader(), r.image())));
    if (key != null) {
      int field = m.getMaxField() > 64 ? 128 : 64;
      if (!m.hasField(field) || r.image() == null || r.image().length < MAC_BYTES) a.putNull("macValid");
      else {
        byte[] image = r.image();
        byte[] expected = mac(key, Arrays.copyOf(image, image.length - MAC_BYTES));
        a.put("macValid", java.security.MessageDigest.isEqual(expected, m.getBytes(field)));
      }
    }
    return a;
  }

  static ObjectNode describe(Garbled g) {
    ObjectNode a = JSON.createObjectNode();
    a.put("raw", g.image() != null ? hex(g.image()) : null);
    a.put("reason", g.reason());
    return a;
  }

  static byte[] frame(byte[] header, byte[] image) {
    int len = header.length + image.length;
    byte[] f = new byte[2 + len];
    f[0] = (byte) (len >> 8);
    f[1] = (byte) len;
    System.arraycopy(header, 0, f, 2, header.length);
    System.arraycopy(image, 0, f, 2 + header.length, image.length);
    return f;
  }

  static byte[] macKey(String hex) {
    if (!hex.matches("[0-9A-Fa-f]{32}")) throw new IllegalArgumentException("a MAC key is 32 hex digits (double-length DES)");
    return ISOUtil.hex2byte(hex);
  }

  /** ANSI X9.19 retail MAC: BouncyCastle's ISO 9797-1 algorithm 3 over DES, zero padding (method 1) when no padding is given. */
  static byte[] mac(byte[] key, byte[] data) {
    ISO9797Alg3Mac m = new ISO9797Alg3Mac(new DESEngine());
    m.init(new KeyParameter(key));
    m.update(data, 0, data.length);
    byte[] out = new byte[MAC_BYTES];
    m.doFinal(out, 0);
    return out;
  }

  static ObjectNode fail(ObjectNode result, String error, String message) {
    return result.put("ok", false).put("error", error).put("message", message);
  }

  static long millisSince(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  static String hex(byte[] b) {
    return ISOUtil.hexString(b).toLowerCase();
  }
}
