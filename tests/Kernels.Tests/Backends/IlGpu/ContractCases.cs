using System.Globalization;
using System.Reflection;
using System.Runtime.ExceptionServices;
using Xunit.Sdk;

namespace DistTrain.Kernels.Tests.Backends.IlGpu;

/// <summary>
/// Every case of <see cref="BackendContractTests"/> (each fact, and each data row of each
/// theory) by name, so a device binding can run the suite from one <see cref="DeviceTheoryAttribute"/>
/// that is skipped where the device is missing. xunit 2 cannot skip inherited tests per
/// subclass, so the GPU bindings do not derive from the suite; they run it through this.
/// </summary>
internal static class ContractCases
{
    private static readonly Lazy<Dictionary<string, (MethodInfo Method, object?[] Arguments)>> Cases = new(Discover);

    /// <summary>The case names, as theory data.</summary>
    public static TheoryData<string> Names() => Select(_ => true);

    /// <summary>
    /// The GEMM cases that a shape-dependent GEMM (cuBLAS) must pass: all but the one that
    /// demands the same bits for any number of rows.
    /// </summary>
    public static TheoryData<string> GemmNamesWithoutRowInvariance() =>
        Select(name => name.StartsWith("Gemm", StringComparison.Ordinal) && !name.Contains("SameBits", StringComparison.Ordinal));

    private static TheoryData<string> Select(Func<string, bool> include)
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Value.Keys.Where(include).Order(StringComparer.Ordinal))
        {
            data.Add(name);
        }

        return data;
    }

    /// <summary>Runs one case on a fresh suite instance and disposes it.</summary>
    public static void Run(string name, Func<BackendContractTests> create)
    {
        var (method, arguments) = Cases.Value[name];
        using var suite = create();
        try
        {
            method.Invoke(suite, arguments);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
        }
    }

    private static Dictionary<string, (MethodInfo, object?[])> Discover()
    {
        var cases = new Dictionary<string, (MethodInfo, object?[])>(StringComparer.Ordinal);
        var methods = typeof(BackendContractTests).GetMethods(BindingFlags.Public | BindingFlags.Instance);
        foreach (var method in methods)
        {
            if (method.GetCustomAttribute<FactAttribute>() is null)
            {
                continue;
            }

            var rows = method.GetCustomAttributes<DataAttribute>().SelectMany(data => data.GetData(method)).ToList();
            if (rows.Count == 0)
            {
                cases.Add(method.Name, (method, []));
                continue;
            }

            foreach (var row in rows)
            {
                var shown = string.Join(", ", row.Select(value => Convert.ToString(value, CultureInfo.InvariantCulture)));
                cases.Add($"{method.Name}({shown})", (method, row));
            }
        }

        return cases;
    }
}
