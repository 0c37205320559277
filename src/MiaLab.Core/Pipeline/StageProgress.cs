namespace MiaLab.Core.Pipeline;

/// <summary>Progress of a long stage: what is being done, how far along, and of how much.</summary>
public sealed record StageProgress(string Task, double Done, double Total);
