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
internal sealed class RecordBatchStream(Stream inner, int bufferBytes, int writeBytes = RecordBatchStream.WriteBlock) : Stream
{
    readonly byte[] _read = new byte[bufferBytes];
    readonly byte[] _write = new byte[Math.Min(bufferBytes, writeBytes)];

    /// <summary>The most a write gathers before it goes out, unless the link asks for less (<see cref="SecureLink.PeerWriteBlock"/>).</summary>
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
