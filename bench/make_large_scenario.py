#!/usr/bin/env python3
"""Generate a production-sized ecsim scenario (issue 10, "Scale"; docs/performance.md).

Defaults: 5,000 container instances (the ECS quota per cluster) of four instance types over three
availability zones; 500 services with 50,000 tasks in all, each behind an ALB target group (50
ALBs of 10 services, about 1,000 targets each); 20,000 requests per second on average with a daily
cycle; target-tracking auto scaling on 20 services; three rolling and two canary deployments; an
outage of one availability zone; one simulated hour. Every time in the timeline is a fraction of
the duration, so a reduced version (--instances 500 --services 50 --tasks 5000 --rps 2000
--duration 5m) has the same story in small.

Python 3 standard library only. The output depends only on the arguments (a given --seed gives
the same bytes on every machine and Python version: random.Random with integer seeds and only
randrange/random calls, and numbers printed by json with fixed rounding).

    python3 bench/make_large_scenario.py out/large.json
    python3 bench/make_large_scenario.py out/small.json --instances 500 --services 50 \
        --tasks 5000 --rps 2000 --duration 5m
"""

import argparse
import json
import math
import random
import sys

ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]
# (instance type, share of the fleet). Registered CPU / memory: 4096/16 GiB, 4096/8 GiB,
# 2048/16 GiB, 8192/32 GiB.
INSTANCE_MIX = [("m5.xlarge", 0.4), ("c5.xlarge", 0.2), ("r5.large", 0.2), ("m5.2xlarge", 0.2)]
# Task sizes (CPU units, MiB) and their shares among services.
TASK_SIZES = [((128, 512), 0.3), ((256, 512), 0.4), ((256, 1024), 0.2), ((512, 2048), 0.1)]
SERVICES_PER_ALB = 10
MAX_TASKS_PER_SERVICE = 1000  # ECS allows 5,000 (ecs-reference 12); ~1,000 targets per ALB


def parse_duration(text):
    """'1h', '5m', '90s', '1h30m' or a number of seconds -> seconds (int)."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1}
    try:
        return int(text)
    except ValueError:
        pass
    total, number = 0, ""
    for ch in text:
        if ch.isdigit():
            number += ch
        elif ch in units and number:
            total += int(number) * units[ch]
            number = ""
        else:
            raise argparse.ArgumentTypeError(f"bad duration {text!r}")
    if number:
        raise argparse.ArgumentTypeError(f"bad duration {text!r} (a unit is missing)")
    return total


def fmt_duration(seconds):
    seconds = int(seconds)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    out = (f"{h}h" if h else "") + (f"{m}m" if m else "") + (f"{s}s" if s else "")
    return out or "0s"


def pick(rng, weighted):
    x = rng.random()
    for value, share in weighted:
        if x < share:
            return value
        x -= share
    return weighted[-1][0]


def split_evenly(total, parts):
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def service_sizes(rng, services, tasks):
    """Heavy-tailed desired counts (a few large services, many small) summing to `tasks`."""
    if tasks < 2 * services:
        raise SystemExit("need at least two tasks per service")
    cap = min(MAX_TASKS_PER_SERVICE, tasks)
    weights = [1.0 / (i + 8) ** 0.9 * (0.75 + 0.5 * rng.random()) for i in range(services)]
    scale = tasks / sum(weights)
    sizes = [min(cap, max(2, int(w * scale))) for w in weights]
    # Hand out (or take back) the rounding difference one task at a time, round-robin.
    i = 0
    while sum(sizes) != tasks:
        if sum(sizes) < tasks and sizes[i % services] < cap:
            sizes[i % services] += 1
        elif sum(sizes) > tasks and sizes[i % services] > 2:
            sizes[i % services] -= 1
        i += 1
    return sizes


def task_definition(family, cpu, memory, image, size_mib):
    return {
        "family": family,
        "networkMode": "bridge",
        "containerDefinitions": [{
            "name": "app", "image": image, "cpu": cpu, "memory": memory, "essential": True,
            "portMappings": [{"containerPort": 8080, "hostPort": 0}],
            "ecsim": {"imageSizeMiB": size_mib},
        }],
    }


def target_group(name, interval):
    return {
        "Name": name, "Protocol": "HTTP", "Port": 8080, "TargetType": "instance",
        "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": interval,
        "HealthyThresholdCount": 3, "UnhealthyThresholdCount": 2,
        "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "30"}],
        "ecsim": {"workers": 10, "queueLimit": 100},
    }


def generate(args):
    rng = random.Random(args.seed)
    duration = args.duration
    n_services = args.services

    # ---- Cluster: every zone gets the same mix of types (counts differ by at most one).
    groups = []
    for z, per_zone in zip(ZONES, split_evenly(args.instances, len(ZONES))):
        counts = [int(per_zone * share) for _, share in INSTANCE_MIX]
        counts[0] += per_zone - sum(counts)
        for (itype, _), count in zip(INSTANCE_MIX, counts):
            if count:
                groups.append({"instanceType": itype, "availabilityZone": z, "count": count})

    # ---- Services, their sizes and which ones scale, deploy or run a canary.
    sizes = service_sizes(rng, n_services, args.tasks)
    names = [f"svc-{i:03d}" for i in range(n_services)]
    footprints = [pick(rng, TASK_SIZES) for _ in range(n_services)]
    autoscaled = set(range(7, n_services, 25))  # every 25th: 20 of 500
    # Deployments go to mid-sized services (ranks by size), never to an autoscaled one.
    by_size = sorted(range(n_services), key=lambda i: (-sizes[i], i))
    candidates = [i for i in by_size[n_services // 20:] if i not in autoscaled]
    step = max(1, len(candidates) // 8)
    rolling = [candidates[0], candidates[step], candidates[2 * step]]
    canary = [candidates[step // 2 + 1], candidates[step + step // 2 + 1]]

    # ---- Traffic: autoscaled services at about 45 % CPU at the start (target 50 %); the rest
    # share what is left of the mean rate in proportion to their tasks, at random loads.
    # Mean service time in seconds: 30 to 120 ms; 150 to 250 ms for the autoscaled services.
    service_time = [round((0.15 if i in autoscaled else 0.03) + 0.09 * rng.random(), 3)
                    for i in range(n_services)]
    request_cpu = [footprints[i][0] for i in range(n_services)]  # a request uses the task's CPU
    rates = [0.0] * n_services
    for i in autoscaled:
        rates[i] = sizes[i] * 0.45 / service_time[i]
    rest = args.rps - sum(rates)
    if rest <= 0:
        raise SystemExit("the autoscaled services alone exceed --rps")
    load = {i: sizes[i] * (0.25 + rng.random()) for i in range(n_services) if i not in autoscaled}
    total_load = sum(load.values())
    for i, w in load.items():
        rates[i] = rest * w / total_load

    # ---- Load balancers: services onto ALBs, largest first onto the ALB with the fewest targets
    # (at most SERVICES_PER_ALB each), one listener (port 8000 + k) per service.
    n_albs = max(1, math.ceil(n_services / SERVICES_PER_ALB))
    alb_targets = [0] * n_albs
    alb_services = [[] for _ in range(n_albs)]
    for i in by_size:
        open_albs = [a for a in range(n_albs) if len(alb_services[a]) < SERVICES_PER_ALB]
        a = min(open_albs, key=lambda a: (alb_targets[a], a))
        alb_services[a].append(i)
        alb_targets[a] += sizes[i]
    listener_of = {}
    load_balancers = []
    for a in range(n_albs):
        listeners = []
        for k, i in enumerate(sorted(alb_services[a])):
            port = 8000 + k
            listener_of[i] = f"alb-{a:02d}:{port}"
            listeners.append({"Port": port, "Protocol": "HTTP",
                              "DefaultActions": [{"Type": "forward", "TargetGroupArn": names[i]}]})
        load_balancers.append({"Name": f"alb-{a:02d}", "Listeners": listeners})

    target_groups = []
    task_definitions = []
    services = []
    traffic = []
    for i in range(n_services):
        cpu, memory = footprints[i]
        image_size = 100 + 50 * rng.randrange(8)
        interval = 30 if i % 3 else 15
        target_groups.append(target_group(names[i], interval))
        if i in canary:
            target_groups.append(target_group(names[i] + "-green", interval))
        task_definitions.append(
            task_definition(names[i], cpu, memory, f"example/{names[i]}:1", image_size))
        lb = {"targetGroupArn": names[i], "containerName": "app", "containerPort": 8080}
        service = {"serviceName": names[i], "taskDefinition": f"{names[i]}:1",
                   "desiredCount": sizes[i], "loadBalancers": [lb],
                   "healthCheckGracePeriodSeconds": 60}
        if i % 4 == 1:
            service["placementStrategy"] = [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                            {"type": "binpack", "field": "memory"}]
        if i in canary:
            lb["advancedConfiguration"] = {
                "alternateTargetGroupArn": names[i] + "-green",
                "productionListenerRule": listener_of[i],
                "roleArn": "arn:aws:iam::123456789012:role/ecsInfrastructureRoleForLoadBalancers"}
            service["deploymentConfiguration"] = {
                "strategy": "CANARY", "bakeTimeInMinutes": 3,
                "canaryConfiguration": {"canaryPercent": 10.0, "canaryBakeTimeInMinutes": 3}}
        elif i in rolling:
            service["deploymentConfiguration"] = {"minimumHealthyPercent": 90, "maximumPercent": 120,
                                                  "deploymentCircuitBreaker": {"enable": True, "rollback": True}}
        services.append(service)
        mean_ms = round(service_time[i] * 1000)
        traffic.append({
            "name": names[i], "listener": listener_of[i],
            # A daily cycle whose mean crossing (rising) is at the middle of the run: the run is
            # the morning ramp, and its average is the mean.
            "pattern": {"type": "dailyCycle", "mean": round(rates[i], 3), "amplitude": 0.5,
                        "period": "24h", "peakAt": fmt_duration(duration // 2 + 6 * 3600)},
            "request": {"serviceTime": {"type": "lognormal", "mean": f"{mean_ms}ms",
                                        "cv": round(0.5 + rng.random(), 2)},
                        "cpu": request_cpu[i]},
        })

    auto_scaling = []
    for i in sorted(autoscaled):
        auto_scaling.append({
            "ServiceNamespace": "ecs", "ResourceId": f"service/production/{names[i]}",
            "ScalableDimension": "ecs:service:DesiredCount",
            "MinCapacity": max(1, sizes[i] // 2), "MaxCapacity": min(MAX_TASKS_PER_SERVICE, sizes[i] * 2),
            "ScalingPolicies": [{
                "PolicyName": "cpu50", "PolicyType": "TargetTrackingScaling",
                "TargetTrackingScalingPolicyConfiguration": {
                    "TargetValue": 50.0,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
                    "ScaleOutCooldown": 120, "ScaleInCooldown": 300}}],
        })

    # ---- Timeline, as fractions of the run.
    def at(fraction):
        return fmt_duration(round(duration * fraction))

    timeline = []
    deployments = [(0.15, i, "rolling") for i in rolling[:1]] + \
                  [(0.25, i, "canary") for i in canary[:1]] + \
                  [(0.35, i, "rolling") for i in rolling[1:2]] + \
                  [(0.60, i, "canary") for i in canary[1:2]] + \
                  [(0.70, i, "rolling") for i in rolling[2:3]]
    for fraction, i, _ in deployments:
        cpu, memory = footprints[i]
        td = task_definition(names[i], cpu, memory, f"example/{names[i]}:2",
                             task_definitions[i]["containerDefinitions"][0]["ecsim"]["imageSizeMiB"])
        timeline.append({"at": at(fraction - 0.01), "action": "RegisterTaskDefinition", "input": td})
        timeline.append({"at": at(fraction), "action": "UpdateService",
                         "input": {"service": names[i], "taskDefinition": f"{names[i]}:2"}})
    timeline.append({"at": at(0.40), "action": "FailAvailabilityZone",
                     "input": {"availabilityZone": ZONES[1]}})
    timeline.append({"at": at(0.55), "action": "RecoverAvailabilityZone",
                     "input": {"availabilityZone": ZONES[1]}})
    timeline.sort(key=lambda a: parse_duration(a["at"]))  # stable: equal times keep their order

    scenario = {
        "name": args.name,
        "description": (
            f"Production-sized run generated by bench/make_large_scenario.py (seed {args.seed}): "
            f"{args.instances} container instances of {len(INSTANCE_MIX)} types over "
            f"{len(ZONES)} zones, {n_services} services with {args.tasks} tasks behind {n_albs} "
            f"ALBs, {args.rps} requests per second on average on the morning ramp of a daily "
            f"cycle, target tracking on {len(autoscaled)} services, {len(rolling)} rolling and "
            f"{len(canary)} canary deployments, and {ZONES[1]} failing from {at(0.40)} to "
            f"{at(0.55)}."),
        "seed": args.seed,
        "duration": fmt_duration(duration),
        "cluster": {"clusterName": "production", "availabilityZones": ZONES,
                    "containerInstances": groups},
        "taskDefinitions": task_definitions,
        "targetGroups": target_groups,
        "loadBalancers": load_balancers,
        "traffic": traffic,
        "services": services,
        "autoScaling": auto_scaling,
        "timeline": timeline,
    }
    return scenario


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", help="where to write the scenario JSON ('-' for stdout)")
    p.add_argument("--seed", type=int, default=10, help="generator and scenario seed (10)")
    p.add_argument("--instances", type=int, default=5000)
    p.add_argument("--services", type=int, default=500)
    p.add_argument("--tasks", type=int, default=50000)
    p.add_argument("--rps", type=float, default=20000, help="mean requests per second")
    p.add_argument("--duration", type=parse_duration, default=3600, help="'1h', '5m', seconds")
    p.add_argument("--name", default="production-scale")
    args = p.parse_args(argv)
    if args.instances < len(ZONES) or args.services < 10 or args.duration < 60:
        p.error("need at least 3 instances, 10 services and a minute")
    text = json.dumps(generate(args), indent=1, sort_keys=False) + "\n"
    if args.out == "-":
        sys.stdout.write(text)
    else:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
