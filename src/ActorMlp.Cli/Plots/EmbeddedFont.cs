using System.IO.Compression;
using ScottPlot;
using SkiaSharp;

namespace ActorMlp.Cli.Plots;

/// <summary>
/// Answers every font request of ScottPlot with DejaVu Sans carried in this assembly. The SkiaSharp
/// build ScottPlot brings has no fontconfig and finds only fonts in /usr/share/fonts; a server or
/// container without them would draw a picture with no text. The font in the assembly draws every
/// label on any machine, and the same picture on all of them.
/// </summary>
sealed class EmbeddedFont : IFontResolver
{
    public const string Family = "DejaVu Sans";
    static readonly Lazy<SKData> Data = new(Load);
    static readonly object Gate = new();
    static bool _installed;

    /// <summary>Puts this resolver first in ScottPlot's (process-wide) list, once.</summary>
    public static void Install()
    {
        lock (Gate)
        {
            if (_installed) return;
            Fonts.FontResolvers.Insert(0, new EmbeddedFont());
            Fonts.Default = Family;
            _installed = true;
        }
    }

    public SKTypeface? CreateTypeface(string fontName, bool bold, bool italic) => SKTypeface.FromData(Data.Value);

    public SKTypeface? CreateTypeface(string fontName, FontWeight weight, FontSlant slant, FontSpacing spacing) => SKTypeface.FromData(Data.Value);

    static SKData Load()
    {
        using var stream = typeof(EmbeddedFont).Assembly.GetManifestResourceStream("ActorMlp.Cli.Plots.DejaVuSans.ttf.gz")
            ?? throw new InvalidOperationException("the font DejaVuSans.ttf.gz is missing from the assembly");
        using var font = new MemoryStream();
        using (var gzip = new GZipStream(stream, CompressionMode.Decompress)) gzip.CopyTo(font);
        return SKData.CreateCopy(font.ToArray());
    }
}
