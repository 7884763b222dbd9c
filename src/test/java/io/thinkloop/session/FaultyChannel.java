package io.thinkloop.session;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real file channel whose writes fail like a full disk once the shared byte budget is spent: the
 * write that crosses it puts part of its bytes in the file, then throws "No space left on device".
 */
final class FaultyChannel extends FileChannel {
    private final FileChannel real;
    private final AtomicLong budget;

    FaultyChannel(FileChannel real, AtomicLong budget) {
        this.real = real;
        this.budget = budget;
    }

    /** An opener whose channels share {@code budget} (bytes still writable; Long.MAX_VALUE: no fault). */
    static SessionJournal.Opener opener(AtomicLong budget) {
        return file -> new FaultyChannel(SessionJournal.FILES.open(file), budget);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        long left = budget.get();
        if (src.remaining() <= left) {
            int n = real.write(src);
            budget.addAndGet(-n);
            return n;
        }
        // half of what is left reaches the file, then the disk is full
        int part = (int) Math.max(1, Math.min(left, src.remaining() / 2));
        ByteBuffer slice = src.slice(src.position(), part);
        real.write(slice);
        src.position(src.position() + part);
        budget.set(0);
        throw new IOException("No space left on device");
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        return real.read(dst);
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        return real.read(dsts, offset, length);
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        long n = 0;
        for (int i = offset; i < offset + length; i++) {
            n += write(srcs[i]);
        }
        return n;
    }

    @Override
    public long position() throws IOException {
        return real.position();
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        real.position(newPosition);
        return this;
    }

    @Override
    public long size() throws IOException {
        return real.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        real.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        real.force(metaData);
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        return real.transferTo(position, count, target);
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        throw new IOException("not supported by the test channel");
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
        return real.read(dst, position);
    }

    @Override
    public int write(ByteBuffer src, long position) throws IOException {
        throw new IOException("not supported by the test channel");
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        throw new IOException("not supported by the test channel");
    }

    @Override
    public FileLock lock(long position, long size, boolean shared) throws IOException {
        return real.lock(position, size, shared);
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        return real.tryLock(position, size, shared);
    }

    @Override
    protected void implCloseChannel() throws IOException {
        real.close();
    }
}
