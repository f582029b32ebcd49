namespace ActorMlp.Cluster.Security;

/// <summary>
/// The socket's stream under an <see cref="System.Net.Security.SslStream"/> of a tensor link. TLS
/// writes and reads one record (at most 16 KiB) at a time: alone, each record is a system call and,
/// with NoDelay, a packet of its own, and a frame's 40-byte header is a record and a packet too.
/// Reads here take what the socket holds in blocks of the buffer's size; writes, once
/// <see cref="BatchWrites"/> is set, gather up to <see cref="WriteBlock"/> or until <see cref="Flush"/> (once per frame). It adds
/// nothing to the bytes: the same records go out, in fewer and larger writes.
/// Invariant: one reader and one writer at a time, as a tensor link has.
/// </summary>
internal sealed class RecordBatchStream(Stream inner, int bufferBytes) : Stream
{
    readonly byte[] _read = new byte[bufferBytes];
    // A write gathers up to 256 KiB (sixteen records). Measured with TLS on simulated hosts (1 Gbit/s),
    // samples/s of peer runs, against 64 KiB: 10.0–10.3k to 8.0–9.0k at b=128, 34.9–38.3k to 28.7–30.4k
    // at b=512 (3 runs each on a Zen 5; 512 KiB and 1 MiB no faster; a Zen 3 once measured 64 KiB ahead at
    // b=512, 19.5k to 17.5k), and on loopback, star b=512, 30.8k to 27.1k.
    // Fewer and larger writes also mean fewer wake-ups of a shaped link's queue (tc's tbf), which cost
    // the simulated hosts more CPU than the cipher did.
    readonly byte[] _write = new byte[Math.Min(bufferBytes, WriteBlock)];

    /// <summary>The most a write gathers before it goes out.</summary>
    public const int WriteBlock = 256 * 1024;
    int _readStart, _readEnd, _written;

    /// <summary>Gather writes until <see cref="Flush"/>: set after the handshake, whose messages nobody flushes.</summary>
    public bool BatchWrites { get; set; }

    public override bool CanRead => inner.CanRead;
    public override bool CanWrite => inner.CanWrite;
    public override bool CanSeek => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty) return 0;
        if (_readStart == _readEnd)
        {
            if (buffer.Length >= _read.Length) return inner.Read(buffer);
            _readStart = 0;
            _readEnd = inner.Read(_read);
            if (_readEnd == 0) return 0;
        }
        int n = Math.Min(buffer.Length, _readEnd - _readStart);
        _read.AsSpan(_readStart, n).CopyTo(buffer);
        _readStart += n;
        return n;
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (!BatchWrites)
        {
            inner.Write(buffer);
            return;
        }
        if (buffer.Length > _write.Length - _written) WriteOut();
        if (buffer.Length >= _write.Length) inner.Write(buffer);
        else
        {
            buffer.CopyTo(_write.AsSpan(_written));
            _written += buffer.Length;
        }
    }

    public override void Flush()
    {
        WriteOut();
        inner.Flush();
    }

    void WriteOut()
    {
        if (_written == 0) return;
        inner.Write(_write, 0, _written);
        _written = 0;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
