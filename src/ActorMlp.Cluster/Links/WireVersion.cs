namespace ActorMlp.Cluster.Links;

/// <summary>
/// The first four bytes of every tensor frame: three magic letters naming the link and the protocol
/// version. Frames of ActorMlp releases before versioning carried 'F' (70) as the fourth byte.
/// </summary>
static class WireVersion
{
    public static void Write(Span<byte> b, ReadOnlySpan<byte> magic, byte version)
    {
        magic.CopyTo(b);
        b[3] = version;
    }

    /// <summary>Throws <see cref="InvalidDataException"/> for a frame without the magic or of another version.</summary>
    public static void Check(ReadOnlySpan<byte> b, ReadOnlySpan<byte> magic, byte version, string link)
    {
        if (!b[..3].SequenceEqual(magic))
            throw new InvalidDataException($"{link} frame without the {System.Text.Encoding.ASCII.GetString(magic)} magic");
        if (b[3] != version)
            throw new InvalidDataException(b[3] == (byte)'F'
                ? $"{link} frame of an ActorMlp release before versioned frames; this node speaks version {version}"
                : $"{link} frame of protocol version {b[3]}; this node speaks version {version}");
    }
}
