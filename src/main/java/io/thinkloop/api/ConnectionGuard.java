package io.thinkloop.api;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import org.jboss.logging.Logger;

/**
 * A Netty handler on every HTTP/1.x connection of the service, just in front of Vert.x's own handler. It
 * does two things the Vert.x options cannot do per endpoint:
 *
 * <ul>
 * <li><b>WebSocket frames, per endpoint.</b> Vert.x configures one frame decoder for the whole server
 * (frame size, no UTF-8 check, reserved bits allowed, and no close on a protocol violation). When a
 * WebSocket upgrade is answered, this handler swaps in a decoder with the endpoint's own frame limit
 * that rejects reserved bits (unless the client offered an extension) with close 1002; then it checks
 * every text message is UTF-8 (else close 1007, RFC 6455 §8.1) and that a message, reassembled from
 * its fragments, stays within the endpoint's limit (else close 1009) — before Vert.x buffers it.</li>
 * <li><b>Idle timeout only while the client owes us something.</b> {@code quarkus.http.idle-timeout}
 * closes connections that send nothing (half-open requests, dead keep-alive connections). Once a request
 * has fully arrived and until its response starts, the silence is ours (a long non-streaming completion),
 * so the idle event is not passed on then.</li>
 * </ul>
 */
final class ConnectionGuard extends ChannelDuplexHandler {
    static final String NAME = "thinkloop-guard";
    private static final Logger LOG = Logger.getLogger(ConnectionGuard.class);

    /** The limits of one WebSocket endpoint: bytes per frame and per reassembled message. */
    record WebSocketLimits(int maxFrameBytes, int maxMessageBytes) {}

    private boolean requestComplete;
    private WebSocketLimits pendingUpgrade;
    private boolean offeredExtensions;
    private WebSocketLimits limits;
    private boolean webSocket;
    private boolean closing;
    private long messageBytes;
    private boolean inText;
    private final Utf8Validator utf8 = new Utf8Validator();

    /** Installs the guard on a connection's pipeline once; later calls return the installed one. */
    static ConnectionGuard install(ChannelPipeline pipeline, boolean requestComplete) {
        ConnectionGuard existing = (ConnectionGuard) pipeline.get(NAME);
        if (existing != null) {
            return existing;
        }
        if (pipeline.get("handler") == null) {
            return null; // not a Vert.x HTTP/1.x pipeline (HTTP/2 streams share one): nothing to guard here
        }
        ConnectionGuard guard = new ConnectionGuard();
        guard.requestComplete = requestComplete;
        pipeline.addBefore("handler", NAME, guard);
        return guard;
    }

    /** The current request asks for a WebSocket upgrade; if it is answered with 101, these limits apply. */
    void expectUpgrade(WebSocketLimits limits, boolean offeredExtensions) {
        this.pendingUpgrade = limits;
        this.offeredExtensions = offeredExtensions;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
        if (!webSocket) {
            if (msg instanceof LastHttpContent) {
                requestComplete = true;
            }
            ctx.fireChannelRead(msg);
            return;
        }
        if (!(msg instanceof WebSocketFrame frame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (closing) {
            frame.release();
            return;
        }
        if (msg instanceof CloseWebSocketFrame
                || !(msg instanceof TextWebSocketFrame
                        || msg instanceof BinaryWebSocketFrame
                        || msg instanceof ContinuationWebSocketFrame)) {
            ctx.fireChannelRead(msg); // control frames: the decoder already bounds them to 125 bytes
            return;
        }
        if ((frame.rsv() & 0b011) != 0) {
            refuse(ctx, frame, 1002, "reserved bits set");
            return;
        }
        boolean continuation = msg instanceof ContinuationWebSocketFrame;
        if (!continuation) {
            messageBytes = 0;
            inText = msg instanceof TextWebSocketFrame;
            utf8.reset();
        }
        ByteBuf content = frame.content();
        messageBytes += content.readableBytes();
        if (messageBytes > limits.maxMessageBytes()) {
            refuse(ctx, frame, 1009, "message larger than " + limits.maxMessageBytes() + " bytes");
            return;
        }
        if (inText && (!utf8.feed(content) || (frame.isFinalFragment() && !utf8.complete()))) {
            refuse(ctx, frame, 1007, "text message is not valid UTF-8");
            return;
        }
        ctx.fireChannelRead(msg);
    }

    private void refuse(ChannelHandlerContext ctx, WebSocketFrame frame, int code, String reason) {
        frame.release();
        if (closing) {
            return;
        }
        closing = true;
        LOG.debugf("closing WebSocket %s: %d %s", ctx.channel().remoteAddress(), code, reason);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpResponse response) {
            requestComplete = false; // the response has started: from here on, silence is the client's again
            if (pendingUpgrade != null && response.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                startWebSocket(ctx.pipeline());
            }
            pendingUpgrade = null;
        }
        ctx.write(msg, promise);
    }

    /** Netty's handshake has just put the server-wide decoder in place; this one has the endpoint's limits. */
    private void startWebSocket(ChannelPipeline pipeline) {
        limits = pendingUpgrade;
        webSocket = true;
        if (pipeline.get("wsdecoder") instanceof WebSocketFrameDecoder) {
            WebSocketDecoderConfig config = WebSocketDecoderConfig.newBuilder()
                    .maxFramePayloadLength(limits.maxFrameBytes())
                    .expectMaskedFrames(true)
                    .allowMaskMismatch(false)
                    .allowExtensions(offeredExtensions)
                    .closeOnProtocolViolation(
                            false) // its close frame would bypass the encoder: we send it (exceptionCaught)
                    .build();
            pipeline.replace("wsdecoder", "wsdecoder", new WebSocket13FrameDecoder(config));
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof IdleStateEvent && requestComplete && !webSocket) {
            return; // we owe the response; the client is not idle, we are busy
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) throws Exception {
        if (webSocket && cause instanceof DecoderException) {
            // the frame decoder refused the input (and discards the rest): answer with the close code it names
            int code = cause instanceof CorruptedWebSocketFrameException c
                    ? c.closeStatus().code()
                    : cause instanceof TooLongFrameException ? 1009 : 1002;
            LOG.debugf("closing WebSocket %s: %d %s", ctx.channel().remoteAddress(), code, cause.getMessage());
            if (!closing) {
                closing = true;
                ctx.writeAndFlush(new CloseWebSocketFrame(code, reason(cause)))
                        .addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    private static String reason(Throwable cause) {
        String m = String.valueOf(cause.getMessage());
        return m.length() <= 120 ? m : m.substring(0, 120); // a close reason has at most 123 bytes
    }

    /** Incremental UTF-8 validation (RFC 3629: no overlongs, surrogates or code points above U+10FFFF). */
    static final class Utf8Validator {
        private int needed;
        private int lower = 0x80;
        private int upper = 0xBF;
        private boolean failed;

        void reset() {
            needed = 0;
            lower = 0x80;
            upper = 0xBF;
            failed = false;
        }

        /** Feeds the readable bytes (without consuming them); false once the text so far is not UTF-8. */
        boolean feed(ByteBuf buf) {
            for (int i = buf.readerIndex(), end = buf.writerIndex(); i < end && !failed; i++) {
                feed(buf.getByte(i));
            }
            return !failed;
        }

        boolean feed(byte[] bytes) {
            for (int i = 0; i < bytes.length && !failed; i++) {
                feed(bytes[i]);
            }
            return !failed;
        }

        /** Whether the text fed so far ends on a whole character. */
        boolean complete() {
            return !failed && needed == 0;
        }

        private void feed(byte b) {
            int x = b & 0xFF;
            if (needed == 0) {
                if (x < 0x80) {
                    return;
                }
                if (x >= 0xC2 && x <= 0xDF) {
                    expect(1, 0x80, 0xBF);
                } else if (x == 0xE0) {
                    expect(2, 0xA0, 0xBF);
                } else if (x == 0xED) {
                    expect(2, 0x80, 0x9F); // no UTF-16 surrogates
                } else if (x >= 0xE1 && x <= 0xEF) {
                    expect(2, 0x80, 0xBF);
                } else if (x == 0xF0) {
                    expect(3, 0x90, 0xBF);
                } else if (x >= 0xF1 && x <= 0xF3) {
                    expect(3, 0x80, 0xBF);
                } else if (x == 0xF4) {
                    expect(3, 0x80, 0x8F); // nothing above U+10FFFF
                } else {
                    failed = true;
                }
            } else if (x < lower || x > upper) {
                failed = true;
            } else {
                needed--;
                lower = 0x80;
                upper = 0xBF;
            }
        }

        private void expect(int n, int lo, int hi) {
            needed = n;
            lower = lo;
            upper = hi;
        }
    }
}
