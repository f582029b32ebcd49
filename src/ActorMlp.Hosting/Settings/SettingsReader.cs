using System.Globalization;
using ActorMlp.Data;
using Akka.Configuration;

namespace ActorMlp.Hosting.Settings;

/// <summary>
/// Typed, validated reads of configuration keys. Every failure names the key and the flag that sets
/// it, whichever of the two the user wrote: <paramref name="flagOf"/> names the command-line flag or
/// option that sets a key (null: the key alone).
/// </summary>
internal sealed class SettingsReader(Config config, Func<string, string?>? flagOf = null)
{
    string Name(string key)
    {
        var flag = flagOf?.Invoke(key);
        return flag is null ? key : $"{flag} ({key})";
    }

    public string String(string key)
    {
        if (!config.HasPath(key)) throw new UsageException($"configuration key {key} is missing");
        try { return config.GetString(key) ?? ""; }
        catch (Exception e) { throw new UsageException($"{Name(key)} must be a single value", e); }
    }

    public long Long(string key, long min, long max = long.MaxValue)
    {
        string s = String(key);
        if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
            throw new UsageException($"{Name(key)} must be a whole number{Range(min, max)}, got '{Excerpt.Of(s)}'");
        return v;
    }

    public int Int(string key, int min, int max = int.MaxValue) => (int)Long(key, min, max);

    public double Double(string key, double min, double max = double.PositiveInfinity, bool exclusiveMin = false)
    {
        string s = String(key);
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v)
            || v < min || (exclusiveMin && v == min) || v > max)
            throw new UsageException($"{Name(key)} must be a number {(exclusiveMin ? "above" : "at least")} {min.ToString(CultureInfo.InvariantCulture)}{(double.IsPositiveInfinity(max) ? "" : $" and at most {max.ToString(CultureInfo.InvariantCulture)}")}, got '{Excerpt.Of(s)}'");
        return v;
    }

    public int[] IntList(string key, int min)
    {
        if (!config.HasPath(key)) throw new UsageException($"configuration key {key} is missing");
        var value = config.GetValue(key);
        IEnumerable<string> items = value.IsArray()
            ? value.GetArray().Select(v => v.GetString())
            : (value.GetString() ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return items.Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) && v >= min ? v
            : throw new UsageException($"{Name(key)} must be a list of whole numbers of at least {min}, got '{Excerpt.Of(s)}'")).ToArray();
    }

    public T Choice<T>(string key, TryParser<T> parse, string choices)
    {
        string s = String(key);
        return parse(s, out var v) ? v : throw new UsageException($"{Name(key)} must be one of {choices}, got '{Excerpt.Of(s)}'");
    }

    public delegate bool TryParser<T>(string text, out T value);

    static string Range(long min, long max) => max == long.MaxValue ? $" of at least {min}" : $" from {min} to {max}";
}
