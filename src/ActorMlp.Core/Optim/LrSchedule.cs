namespace ActorMlp.Core.Optim;

public enum ScheduleKind { Constant, Step, Cosine }

/// <summary>
/// Learning rate of step t (0-based): the base rate, shaped by the schedule —
/// step: × γ^⌊epoch / stepEpochs⌋; cosine: from base down to minimum over the whole run —
/// then multiplied by a linear warm-up (t+1)/W during the first W steps.
/// </summary>
public sealed record LrSchedule(
    float BaseRate,
    ScheduleKind Kind = ScheduleKind.Constant,
    int WarmupSteps = 0,
    int StepEpochs = 5,
    float Gamma = 0.1f,
    float MinimumRate = 0f)
{
    public float At(long step, long stepsPerEpoch, long totalSteps)
    {
        double rate = Kind switch
        {
            ScheduleKind.Step => BaseRate * Math.Pow(Gamma, step / Math.Max(1, stepsPerEpoch) / Math.Max(1, StepEpochs)),
            ScheduleKind.Cosine => MinimumRate + 0.5 * (BaseRate - MinimumRate) * (1 + Math.Cos(Math.PI * Math.Min(1.0, step / (double)Math.Max(1, totalSteps)))),
            _ => BaseRate,
        };
        if (step < WarmupSteps) rate *= (step + 1) / (double)WarmupSteps;
        return (float)rate;
    }

    public static bool TryParseKind(string name, out ScheduleKind kind)
        => Enum.TryParse(name.Trim(), ignoreCase: true, out kind) && Enum.IsDefined(kind) && !int.TryParse(name, out _);
}
