using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hcr.MLNet.Training;

/// <summary>
/// TorchSharp's Adam, AdamW and SGD updates, computed here over the optimizer's own state so that its saved state and
/// checkpoints stay TorchSharp's, with every scalar held until the update ends.
/// </summary>
/// <remarks>
/// TorchSharp (0.107) turns each <see cref="double"/> argument of an in-place update (<c>mul_(beta1)</c>,
/// <c>addcdiv_(…, value: -step)</c>) into a temporary <see cref="Scalar"/> whose only reference is dropped once its
/// native handle is read; a garbage collection on another thread during the native call lets the finalizer free the
/// native scalar while libtorch reads it ("Scalar::toLong unknown tag", "toFloat Expected false", or a crash). The
/// optimizer step makes most of a training batch's scalar calls, so it is the one place worth rewriting: the
/// arithmetic and its order are TorchSharp's, so the weights after each step are the same to the bit
/// (<c>OptimizerStepTests</c>).
/// </remarks>
internal static class OptimizerStep
{
    /// <summary>Takes one step of <paramref name="optimizer"/> (an Adam, AdamW or SGD from <see cref="OptimizerFactory"/>).</summary>
    public static void Take(OptimizerHelper optimizer)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        // state_dict lists the live per-parameter states in the order of the groups' parameters.
        List<OptimizerState> states = optimizer.state_dict().State;
        int index = 0;
        foreach (ParamGroup group in optimizer.ParamGroups)
        {
            foreach (Parameter parameter in group.Parameters)
            {
                OptimizerState state = states[index++];
                Tensor? gradient = parameter.grad;
                if (gradient is null)
                    continue;
                switch (state)
                {
                    case AdamW.State adamW:
                        StepAdamW(parameter, gradient, adamW, (AdamW.Options)group.Options);
                        break;
                    case Adam.State adam:
                        StepAdam(parameter, gradient, adam, (Adam.Options)group.Options);
                        break;
                    case SGD.State sgd:
                        StepSgd(parameter, gradient, sgd, (SGD.Options)group.Options);
                        break;
                    default:
                        throw new NotSupportedException($"No GC-safe step for {optimizer.GetType().Name}; OptimizerFactory builds Adam, AdamW or SGD.");
                }
            }
        }
    }

    private static void StepAdamW(Parameter parameter, Tensor gradient, AdamW.State state, AdamW.Options options)
    {
        if (options.amsgrad == true)
            throw new NotSupportedException("AMSGrad is not used by this library's trainers.");
        double learningRate = options.LearningRate!.Value, decay = options.weight_decay!.Value;
        if (options.maximize == true)
            gradient = gradient.neg();
        state.step += 1;
        using Scalar shrink = (1 - learningRate * decay).ToScalar();
        parameter.mul_(shrink);
        Moments(parameter, gradient, state.step, state.exp_avg, state.exp_avg_sq, learningRate, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
    }

    private static void StepAdam(Parameter parameter, Tensor gradient, Adam.State state, Adam.Options options)
    {
        if (options.amsgrad == true)
            throw new NotSupportedException("AMSGrad is not used by this library's trainers.");
        double decay = options.weight_decay!.Value;
        if (options.maximize == true)
            gradient = gradient.neg();
        state.step += 1;
        if (decay != 0)
        {
            using Scalar alpha = decay.ToScalar();
            gradient = gradient.add(parameter, alpha);
        }
        Moments(parameter, gradient, state.step, state.exp_avg, state.exp_avg_sq, options.LearningRate!.Value, options.beta1!.Value, options.beta2!.Value, options.eps!.Value);
    }

    /// <summary>Adam's moment updates and parameter step, shared by Adam and AdamW (they differ in weight decay only).</summary>
    private static void Moments(Tensor parameter, Tensor gradient, long step, Tensor average, Tensor averageOfSquares,
        double learningRate, double beta1, double beta2, double eps)
    {
        double correction1 = 1 - Math.Pow(beta1, step), correction2 = 1 - Math.Pow(beta2, step);
        using Scalar b1 = beta1.ToScalar(), oneMinusB1 = (1 - beta1).ToScalar();
        using Scalar b2 = beta2.ToScalar(), oneMinusB2 = (1 - beta2).ToScalar();
        using Scalar root = Math.Sqrt(correction2).ToScalar(), epsilon = eps.ToScalar();
        using Scalar stepSize = (-(learningRate / correction1)).ToScalar();
        average.mul_(b1).add_(gradient, oneMinusB1);
        averageOfSquares.mul_(b2).addcmul_(gradient, gradient, oneMinusB2);
        using Tensor denominator = averageOfSquares.sqrt().div_(root).add_(epsilon);
        parameter.addcdiv_(average, denominator, stepSize);
    }

    private static void StepSgd(Parameter parameter, Tensor gradient, SGD.State state, SGD.Options options)
    {
        double momentum = options.momentum!.Value, dampening = options.dampening!.Value, decay = options.weight_decay!.Value;
        double learningRate = options.LearningRate!.Value;
        if (decay != 0)
        {
            using Scalar alpha = decay.ToScalar();
            gradient = gradient.add(parameter, alpha);
        }
        if (momentum != 0)
        {
            if (state.momentum_buffer is null)
            {
                state.momentum_buffer = gradient.clone().detach().DetachFromDisposeScope();
            }
            else
            {
                using Scalar keep = momentum.ToScalar(), add = (1 - dampening).ToScalar();
                state.momentum_buffer.mul_(keep).add_(gradient, add);
            }
            if (options.nesterov == true)
            {
                using Scalar alpha = momentum.ToScalar();
                gradient = gradient.add(state.momentum_buffer, alpha);
            }
            else
            {
                gradient = state.momentum_buffer;
            }
        }
        using Scalar rate = (options.maximize == true ? learningRate : -learningRate).ToScalar();
        parameter.add_(gradient, rate);
    }
}
