namespace ActorMlp.Core.Model;

/// <summary>Weight initialization; Auto picks He for the ReLU family and maxout, Xavier for sigmoid and tanh.</summary>
public enum InitKind { Auto, Xavier, He }
