import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.jpos.iso.ISOBinaryField;
import org.jpos.iso.ISOMsg;
import org.jpos.iso.ISOUtil;
import org.jpos.iso.channel.NACChannel;
import org.jpos.iso.packager.ISO87BPackager;

/**
 * Packs representative messages with jPOS's stock ISO87BPackager and sends each through a real
 * NACChannel with a TPDU header, capturing the bytes on the wire; writes them as hex fixtures for
 * the codec's unit tests (libs/shared/iso8583). Run as a separate process (jPOS is AGPL): see README.md.
 */
public class PackFixtures {
  static final byte[] TPDU = ISOUtil.hex2byte("6000010000");
  static final ISO87BPackager PACKAGER = new ISO87BPackager();

  record Fixture(String name, String description, Map<Integer, String> fields, String message, String frame) {}

  public static void main(String[] args) throws Exception {
    Path out = Path.of(args.length > 0 ? args[0] : "libs/shared/iso8583/src/fixtures/jpos-iso87b.json");
    List<Fixture> fixtures = new ArrayList<>();
    String mac = "0102030405060708";

    fixtures.add(request("sign-on-0800", "sign-on with operator", "0800", f(
        11, "000001", 41, "TERM0001", 42, "MERCHANT0000001", 60, "00000001001", 63, "01 ")));
    fixtures.add(request("sale-0200", "card sale, 16-digit PAN, track 2 with an odd digit count, MAC", "0200", f(
        2, "4761739001010119", 3, "000000", 4, "000000012345", 11, "000002", 14, "2912", 22, "051", 25, "00",
        35, "4761739001010119=2912201114380448", 41, "TERM0001", 42, "MERCHANT0000001", 49, "156",
        60, "22000001000", 64, "b:" + mac)));
    fixtures.add(request("chip-sale-0200-icc-data", "chip sale: EMV TLV bytes in field 55, an LLLCHAR jPOS carries byte for byte (ISO-8859-1)", "0200", f(
        2, "4761739001010119", 3, "000000", 4, "000000012345", 11, "000005", 22, "051", 23, "001", 25, "00",
        41, "TERM0001", 42, "MERCHANT0000001", 49, "156",
        55, "b:9f2608a1b2c3d4e5f60718820200009f360200019f2701809f100706010a03a00000", 60, "22000001000")));
    fixtures.add(request("sale-0210", "sale answer with RRN, auth code and response code", "0210", f(
        2, "4761739001010119", 3, "000000", 4, "000000012345", 11, "000002", 12, "101530", 13, "1201", 25, "00",
        37, "000000000123", 38, "A1B2C3", 39, "00", 41, "TERM0001", 42, "MERCHANT0000001", 49, "156",
        60, "22000001000", 64, "b:" + mac)));
    fixtures.add(request("sale-0200-odd-pan", "19-digit PAN (LLNUM pads its last nibble)", "0200", f(
        2, "6250941006528599002", 3, "000000", 4, "000000000001", 11, "999999", 22, "021", 25, "00",
        41, "TERM0002", 42, "MERCHANT0000002", 49, "840", 60, "22000002000")));
    fixtures.add(request("settlement-0500", "settlement totals in field 48", "0500", f(
        11, "000010", 41, "TERM0001", 42, "MERCHANT0000001",
        48, "00000001234500300000000010000011" + "0000000000000000000000000000000", 49, "156",
        60, "00000001201", 63, "01 ", 64, "b:" + mac)));
    fixtures.add(request("reversal-0400", "reversal after a timeout, original data in 61", "0400", f(
        2, "4761739001010119", 3, "000000", 4, "000000012345", 11, "000002", 22, "051", 25, "00",
        39, "98", 41, "TERM0001", 42, "MERCHANT0000001", 49, "156", 60, "22000001000",
        61, "0000010000021201", 64, "b:" + mac)));
    fixtures.add(request("upload-0320", "batch upload of one sale, with a fee amount (x+n8)", "0320", f(
        2, "4761739001010119", 3, "000000", 4, "000000012345", 11, "000011", 22, "051", 25, "00",
        28, "D00000100", 37, "000000000123", 38, "A1B2C3", 41, "TERM0001", 42, "MERCHANT0000001", 49, "156",
        60, "22000001201", 64, "b:" + mac)));
    fixtures.add(request("echo-0800-secondary-bitmap", "network management with field 70 and MAC 2 in 128 (secondary bitmap)", "0800", f(
        7, "1201101530", 11, "000003", 41, "TERM0001", 70, "301", 128, "b:" + mac)));
    fixtures.add(request("reversal-0420-original-data", "reversal advice with original data elements in 90 and a net amount in 97", "0420", f(
        3, "000000", 4, "000000012345", 11, "000004", 41, "TERM0001", 42, "MERCHANT0000001",
        90, "020000000200000000000000000000000000000000", 97, "C0000000000012345")));
    fixtures.add(reply());
    fixtures.addAll(randomMessages(40));

    StringBuilder json = new StringBuilder("[\n");
    for (int i = 0; i < fixtures.size(); i++) {
      Fixture x = fixtures.get(i);
      json.append("  {\n    \"name\": \"").append(x.name()).append("\",\n    \"description\": \"").append(x.description())
          .append("\",\n    \"fields\": {");
      int k = 0;
      for (Map.Entry<Integer, String> e : x.fields().entrySet())
        json.append(k++ == 0 ? "" : ",").append("\n      \"").append(e.getKey()).append("\": \"").append(json(e.getValue())).append('"');
      json.append("\n    },\n    \"message\": \"").append(x.message()).append("\",\n    \"frame\": \"").append(x.frame())
          .append("\"\n  }").append(i + 1 < fixtures.size() ? ",\n" : "\n");
    }
    json.append("]\n");
    Files.createDirectories(out.toAbsolutePath().getParent());
    Files.writeString(out, json.toString(), StandardCharsets.UTF_8);
    System.out.println("wrote " + fixtures.size() + " fixtures to " + out);
  }

  /**
   * Seeded random messages over every field ISO87BPackager defines (each field in at least five),
   * with values of each field packager's kind: jPOS's own reading of the whole table.
   */
  static List<Fixture> randomMessages(int count) throws Exception {
    java.util.Random r = new java.util.Random(8583);
    String[] mtis = {"0100", "0110", "0200", "0210", "0220", "0230", "0320", "0330", "0400", "0401", "0410", "0500", "0510", "0620", "0800", "0810", "0820", "0830"};
    List<Fixture> out = new ArrayList<>();
    for (int k = 0; k < count; k++) {
      Map<Integer, String> fields = new LinkedHashMap<>();
      for (int i = 2; i <= 128; i++) {
        if (i % 8 != k % 8 && r.nextDouble() > 0.1) continue;
        fields.put(i, randomValue(r, i, PACKAGER.getFieldPackager(i)));
      }
      out.add(request(String.format("random-%02d", k), "seeded random values of every field's kind", mtis[r.nextInt(mtis.length)], fields));
    }
    return out;
  }

  static String randomValue(java.util.Random r, int field, org.jpos.iso.ISOFieldPackager p) {
    int max = p.getLength();
    if (field == 55 || p instanceof org.jpos.iso.IFB_BINARY) {
      byte[] b = new byte[field == 55 ? r.nextInt(60) : max];
      r.nextBytes(b);
      return "b:" + hex(b);
    }
    if (p instanceof org.jpos.iso.IFB_NUMERIC) return digits(r, max);
    if (p instanceof org.jpos.iso.IFB_AMOUNT) return (r.nextBoolean() ? "C" : "D") + digits(r, max - 1);
    if (p instanceof org.jpos.iso.IFB_LLNUM) {
      String d = digits(r, r.nextInt(max + 1));
      if (field == 35 && d.length() > 2) d = d.substring(0, d.length() / 2) + "=" + d.substring(d.length() / 2 + 1);
      return d;
    }
    if (p instanceof org.jpos.iso.IF_CHAR) return chars(r, max);
    return chars(r, r.nextInt(Math.min(max, 60) + 1)); // IFB_LLCHAR, IFB_LLLCHAR
  }

  static String digits(java.util.Random r, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) s.append((char) ('0' + r.nextInt(10)));
    return s.toString();
  }

  static String chars(java.util.Random r, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) s.append((char) (0x20 + r.nextInt(0x7f - 0x20)));
    return s.toString();
  }

  static String json(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }

  /** Field number, value pairs; a value "b:HEX" is a binary field. */
  static Map<Integer, String> f(Object... pairs) {
    Map<Integer, String> m = new LinkedHashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put((Integer) pairs[i], (String) pairs[i + 1]);
    return m;
  }

  static ISOMsg msg(String mti, Map<Integer, String> fields) throws Exception {
    ISOMsg m = new ISOMsg(mti);
    m.setPackager(PACKAGER);
    for (Map.Entry<Integer, String> e : fields.entrySet()) {
      String v = e.getValue();
      if (v.startsWith("b:")) m.set(new ISOBinaryField(e.getKey(), ISOUtil.hex2byte(v.substring(2))));
      else m.set(e.getKey(), v);
    }
    return m;
  }

  /** Fields as the fixture lists them: MTI as field 0, binary fields as lower-case hex after "b:". */
  static Map<Integer, String> listed(ISOMsg m) throws Exception {
    Map<Integer, String> out = new LinkedHashMap<>();
    out.put(0, m.getMTI());
    for (int i = 2; i <= m.getMaxField(); i++) {
      if (!m.hasField(i)) continue;
      Object v = m.getComponent(i).getValue();
      // Field 55 (ICC data) is an LLLCHAR in ISO87BPackager; its characters are the TLV's bytes.
      boolean binary = v instanceof byte[] || i == 55;
      out.put(i, binary ? "b:" + ISOUtil.hexString(m.getComponent(i).getBytes()).toLowerCase() : (String) v);
    }
    return out;
  }

  /** Sends the message through a client NACChannel and captures the frame a raw socket receives. */
  static Fixture request(String name, String description, String mti, Map<Integer, String> fields) throws Exception {
    ISOMsg m = msg(mti, fields);
    byte[] packed = m.pack();
    ISOMsg back = new ISOMsg();
    back.setPackager(PACKAGER);
    back.unpack(packed);
    try (ServerSocket server = new ServerSocket(0)) {
      NACChannel channel = new NACChannel("127.0.0.1", server.getLocalPort(), PACKAGER, TPDU);
      channel.connect();
      try (Socket peer = server.accept()) {
        channel.send(m);
        byte[] frame = readFrame(new DataInputStream(peer.getInputStream()));
        return new Fixture(name, description, listed(back), hex(packed), hex(frame));
      } finally {
        channel.disconnect();
      }
    }
  }

  /** A server-side NACChannel answers a sign-on: its reply swaps the TPDU's destination and source. */
  static Fixture reply() throws Exception {
    ISOMsg req = msg("0800", f(11, "000001", 41, "TERM0001", 42, "MERCHANT0000001", 60, "00000001001", 63, "01 "));
    byte[] reqPacked = req.pack();
    byte[] requestFrame = new byte[2 + TPDU.length + reqPacked.length];
    int len = TPDU.length + reqPacked.length;
    requestFrame[0] = (byte) (len >> 8);
    requestFrame[1] = (byte) len;
    System.arraycopy(TPDU, 0, requestFrame, 2, TPDU.length);
    System.arraycopy(reqPacked, 0, requestFrame, 2 + TPDU.length, reqPacked.length);
    try (ServerSocket serverSocket = new ServerSocket(0)) {
      NACChannel channel = new NACChannel(PACKAGER, TPDU, serverSocket);
      try (Socket terminal = new Socket("127.0.0.1", serverSocket.getLocalPort())) {
        channel.accept(serverSocket);
        new DataOutputStream(terminal.getOutputStream()).write(requestFrame);
        ISOMsg got = channel.receive();
        ISOMsg answer = (ISOMsg) got.clone();
        answer.setResponseMTI();
        answer.set(12, "101530");
        answer.set(13, "1201");
        answer.set(37, "000000000001");
        answer.set(39, "00");
        answer.set(60, "00000002001");
        answer.set(62, "0123456789ABCDEF0123456789ABCDEF01234567FEDCBA9876543210FEDCBA987654321076543210");
        answer.unset(63);
        byte[] packed = answer.pack();
        channel.send(answer);
        byte[] frame = readFrame(new DataInputStream(terminal.getInputStream()));
        ISOMsg back = new ISOMsg();
        back.setPackager(PACKAGER);
        back.unpack(packed);
        return new Fixture("sign-on-0810-reply", "a server NACChannel's answer to a 0800 framed with TPDU 6000010000: TPDU swapped", listed(back), hex(packed), hex(frame));
      } finally {
        channel.disconnect();
      }
    }
  }

  static byte[] readFrame(DataInputStream in) throws IOException {
    int len = in.readUnsignedShort();
    byte[] frame = new byte[2 + len];
    frame[0] = (byte) (len >> 8);
    frame[1] = (byte) len;
    in.readFully(frame, 2, len);
    return frame;
  }

  static String hex(byte[] b) {
    return ISOUtil.hexString(b).toLowerCase();
  }
}
