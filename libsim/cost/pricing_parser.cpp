// "pricing": strict reading of the price table overrides (include/ecsim/cost.hpp).
#include "cost/pricing_parser.hpp"

namespace ecsim::detail {
namespace {

// Highest rate a scenario may give, per unit-hour: far above any real price, low enough that a
// typo (a price per month, or in cents) is caught.
constexpr double kMaxRate = 1000;

void read_rates(ObjectReader& r, FargateRates& rates, bool windows) {
  rates.vcpu_per_hour = r.number("vcpuPerHour", rates.vcpu_per_hour, 0, kMaxRate);
  rates.gb_per_hour = r.number("gbPerHour", rates.gb_per_hour, 0, kMaxRate);
  if (windows)
    rates.os_license_per_vcpu_hour =
        r.number("osLicensePerVcpuHour", rates.os_license_per_vcpu_hour, 0, kMaxRate);
}

}  // namespace

PriceTable parse_pricing(ObjectReader& r) {
  PriceTable p;
  r.object("fargate", [&](ObjectReader& f) {
    // Linux/x86 at the top level of "fargate"; the other platforms in their own objects.
    read_rates(f, p.fargate_linux_x86, false);
    f.object("arm", [&](ObjectReader& a) { read_rates(a, p.fargate_linux_arm, false); });
    f.object("windows", [&](ObjectReader& w) { read_rates(w, p.fargate_windows_x86, true); });
    p.fargate_ephemeral_storage_gb_per_hour =
        f.number("ephemeralStorageGbPerHour", p.fargate_ephemeral_storage_gb_per_hour, 0, kMaxRate);
    p.fargate_ephemeral_storage_included_gb =
        f.integer("ephemeralStorageIncludedGb", p.fargate_ephemeral_storage_included_gb, 0, 200);
  });
  p.fargate_spot_discount = r.number("fargateSpotDiscount", p.fargate_spot_discount, 0, 1);
  p.minimum_billed_seconds = r.integer("minimumBilledSeconds", p.minimum_billed_seconds, 0, 3600);
  r.object("ec2CostSplit", [&](ObjectReader& s) {
    p.ec2_split_vcpu_weight = s.number("vcpuWeight", p.ec2_split_vcpu_weight, 0, 1000);
    p.ec2_split_gb_weight = s.number("gbWeight", p.ec2_split_gb_weight, 0, 1000);
    if (p.ec2_split_vcpu_weight == 0 && p.ec2_split_gb_weight == 0)
      r.problem("ec2CostSplit",
                "vcpuWeight and gbWeight are both 0; at least one must be above 0 (AWS Split "
                "Cost Allocation Data uses 9 and 1)");
  });
  return p;
}

}  // namespace ecsim::detail
