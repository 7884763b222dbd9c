package io.thinkloop.backend.remote;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Incremental Server-Sent Events decoder: bytes in any split (UTF-8 sequences and lines may straddle
 * buffers), the {@code data} of each complete event out. Comments ({@code : keep-alive}) and the
 * {@code event}/{@code id}/{@code retry} fields are dropped; multi-line data is joined with newlines.
 */
final class SseDecoder {
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    private ByteBuffer pendingBytes = ByteBuffer.allocate(0);
    private final StringBuilder line = new StringBuilder();
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean lastWasCr;

    /** The data of the events completed by {@code bytes}. */
    List<String> feed(ByteBuffer bytes) {
        ByteBuffer in;
        if (pendingBytes.hasRemaining()) {
            in = ByteBuffer.allocate(pendingBytes.remaining() + bytes.remaining());
            in.put(pendingBytes).put(bytes).flip();
        } else {
            in = bytes;
        }
        CharBuffer out = CharBuffer.allocate(in.remaining() + 1);
        utf8.decode(in, out, false);
        pendingBytes =
                in.hasRemaining() ? ByteBuffer.allocate(in.remaining()).put(in).flip() : ByteBuffer.allocate(0);
        out.flip();
        List<String> events = new ArrayList<>();
        while (out.hasRemaining()) {
            char c = out.get();
            if (c == '\n' && lastWasCr) {
                lastWasCr = false;
                continue;
            }
            lastWasCr = c == '\r';
            if (c == '\n' || c == '\r') {
                endLine(events);
            } else {
                line.append(c);
            }
        }
        return events;
    }

    /** Whether bytes of an unfinished event are buffered. */
    boolean midEvent() {
        return hasData || !line.isEmpty();
    }

    private void endLine(List<String> events) {
        if (line.isEmpty()) {
            if (hasData) {
                events.add(data.toString());
            }
            data.setLength(0);
            hasData = false;
            return;
        }
        String l = line.toString();
        line.setLength(0);
        if (l.startsWith(":")) {
            return;
        }
        int colon = l.indexOf(':');
        String field = colon < 0 ? l : l.substring(0, colon);
        String value = colon < 0 ? "" : l.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        if (field.equals("data")) {
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
    }
}
