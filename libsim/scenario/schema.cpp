// The JSON Schema of the scenario format, compiled in for `ecsim schema`.
//
// The text is schema/scenario.schema.json byte for byte; tests/test_schema.cpp fails when the two
// differ. It is split into several raw string literals because C++ compilers need only accept
// literals of 65,536 characters (GCC warns above that under -Wpedantic).
#include "ecsim/schema.hpp"

#include <string_view>

namespace ecsim {
namespace {

// clang-format off
constexpr std::string_view kParts[] = {
R"ecsim({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "ecsim scenario",
  "description": "A scenario for ecsim, the Amazon ECS simulator. Where AWS has a JSON shape the scenario takes it with AWS's field names (RegisterTaskDefinition, CreateService, RunTask ...). Every key is checked: `ecsim validate` rejects unknown keys. See docs/scenario-format.md.",
  "type": "object",
  "properties": {
    "$schema": {
      "description": "Ignored by ecsim; lets editors find this schema.",
      "type": "string"
    },
    "name": {
      "description": "Shown in outputs; `ecsim run` writes to out/<name> by default.",
      "type": "string",
      "default": "unnamed"
    },
    "description": {
      "description": "What the scenario teaches or asks.",
      "type": "string",
      "default": ""
    },
    "seed": {
      "description": "Root of every random stream; `--seed` overrides it.",
      "type": "integer",
      "minimum": 0,
      "maximum": 9007199254740992,
      "default": 1
    },
    "duration": {
      "description": "Simulated time to run, 1 s to 366 days.",
      "default": "1h",
      "anyOf": [
        {
          "type": "number",
          "minimum": 1,
          "maximum": 31622400
        },
        {
          "$ref": "#/$defs/durationString"
        }
      ]
    },
    "metricsPeriod": {
      "description": "Period of metrics.csv (CloudWatch's 60 s), 1 s to 1 day.",
      "default": "1m",
      "anyOf": [
        {
          "type": "number",
          "minimum": 1,
          "maximum": 86400
        },
        {
          "$ref": "#/$defs/durationString"
        }
      ]
    },
    "region": {
      "description": "Used in ARNs.",
      "type": "string",
      "default": "us-east-1"
    },
    "accountId": {
      "description": "Used in ARNs.",
      "type": "string",
      "default": "123456789012"
    },
    "cluster": {
      "$ref": "#/$defs/cluster"
    },
    "instanceTypes": {
      "description": "Additions to, or overrides of, the built-in instance catalog.",
      "type": "array",
      "items": {
        "$ref": "#/$defs/instanceType"
      },
      "maxItems": 1000
    },
    "taskDefinitions": {
      "description": "Task definitions registered when the run begins (RegisterTaskDefinition inputs).",
      "type": "array",
      "items": {
        "$ref": "#/$defs/taskDefinition"
      },
      "maxItems": 1000
    },
    "timeline": {
      "description": "Actions at given times.",
      "type": "array",
      "items": {
        "$ref": "#/$defs/timelineAction"
      },
      "maxItems": 100000
    },
    "timing": {
      "$ref": "#/$defs/timing"
    },
    "placement": {
      "$ref": "#/$defs/placement"
    },
    "services": {
      "description": "Services created when the run begins (CreateService inputs).",
      "type": "array",
      "items": {
        "$ref": "#/$defs/createServiceInput"
      },
      "maxItems": 5000
    },
    "scheduler": {
      "$ref": "#/$defs/scheduler"
    },
    "targetGroups": {
      "description": "ELBv2 target groups (CreateTargetGroup inputs).",
      "type": "array",
      "items": {
        "$ref": "#/$defs/targetGroup"
      },
      "maxItems": 1000
    },
    "loadBalancers": {
      "description": "Application Load Balancers with their listeners.",
      "type": "array",
      "items": {
        "$ref": "#/$defs/loadBalancer"
      },
      "maxItems": 100
    },
    "traffic": {
      "description": "Traffic sources: requests at a listener.",
      "type": "array",
      "items": {
        "$ref": "#/$defs/trafficSource"
      },
      "maxItems": 1000
    },
    "autoScaling": {
      "description": "Auto scaling policies. Reserved for a later version of ecsim: must be empty.",
      "type": "array",
      "maxItems": 0
    }
  },
  "additionalProperties": false,
  "$defs": {
    "ignored": {
      "description": "Accepted for compatibility with AWS's input and ignored: it changes nothing ecsim simulates."
    },
    "durationString": {
      "description": "A duration with units: us, ms, s, m, h, d, and sums such as \"1h30m\" (\"250ms\", \"30s\", \"5m\", \"2h\"). Time is kept in whole microseconds.",
      "type": "string",
      "pattern": "^(([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(us|ms|s|m|h|d))+$"
    },
    "duration": {
      "description": "A duration: a JSON number of seconds (90, 0.25) or a string with units (\"250ms\", \"30s\", \"5m\", \"2h\", \"1h30m\").",
      "anyOf": [
        {
          "type": "number",
          "minimum": 0
        },
        {
          "$ref": "#/$defs/durationString"
        }
      ]
    },
    "placementStrategy": {
      "description": "A placement strategy (ecs-reference 4.2). binpack takes field cpu or memory; spread takes instanceId, host or attribute:NAME; random takes no field.",
      "type": "object",
      "properties": {
        "type": {
          "description": "The strategy.",
          "enum": [
            "binpack",
            "spread",
            "random"
          ],
          "default": "random"
        },
        "field": {
          "description": "binpack: \"cpu\" or \"memory\"; spread: \"instanceId\", \"host\" or \"attribute:NAME\" (e.g. attribute:ecs.availability-zone).",
          "type": "string"
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "type": {
                "const": "binpack"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "field"
            ],
            "properties": {
              "field": {
                "enum": [
                  "cpu",
                  "memory"
                ]
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "spread"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "field"
            ],
            "properties": {
              "field": {
                "pattern": "^(instanceId|host|attribute:.+)$"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "enum": [
                  "binpack",
                  "spread"
                ]
              }
            },
            "required": [
              "type"
            ]
          },
          "else": {
            "properties": {
              "field": false
            }
          }
        }
      ]
    },
    "placementConstraint": {
      "description": "A placement constraint (ecs-reference 4.3): distinctInstance, or memberOf with a cluster query language expression.",
      "type": "object",
      "properties": {
        "type": {
          "description": "The constraint.",
          "enum": [
            "distinctInstance",
            "memberOf"
          ],
          "default": "memberOf"
        },
        "expression": {
          "description": "memberOf only: a cluster query, e.g. \"attribute:ecs.instance-type =~ t3.*\" or \"attribute:ecs.availability-zone in [us-east-1a, us-east-1b]\".",
          "type": "string"
        }
      },
      "additionalProperties": false,
      "if": {
        "properties": {
          "type": {
            "const": "distinctInstance"
          }
        },
        "required": [
          "type"
        ]
      },
      "then": {
        "properties": {
          "expression": false
        }
      },
      "else": {
        "required": [
          "expression"
        ],
        "properties": {
          "expression": {
            "minLength": 1
          }
        }
      }
    },
    "placementStrategies": {
      "description": "Placement strategies, applied in order; each later one breaks the ties the earlier ones left (at most 5).",
      "type": "array",
      "items": {
        "$ref": "#/$defs/placementStrategy"
      },
      "maxItems": 5
    },
    "placementConstraints": {
      "description": "Placement constraints (at most 10).",
      "type": "array",
      "items": {
        "$ref": "#/$defs/placementConstraint"
      },
      "maxItems": 10
    },
    "portMapping": {
      "description": "A port mapping (ecs-reference 2.3). In bridge mode, hostPort 0 or absent is a dynamic port from the ephemeral range; in awsvpc and host mode hostPort must be absent or equal containerPort.",
      "type": "object",
      "properties": {
        "containerPort": {
          "description": "The container's port.",
          "type": "integer",
          "minimum": 1,
          "maximum": 65535
        },
        "hostPort": {
          "description": "The instance's port; 0 or absent: dynamic (bridge mode).",
          "type": "integer",
          "minimum": 0,
          "maximum": 65535
        },
        "protocol": {
          "description": "Transport protocol.",
          "enum": [
            "tcp",
            "udp"
          ],
          "default": "tcp"
        },
        "containerPortRange": {
          "description": "A range of container ports, \"first-last\" such as \"8000-8100\" (instead of containerPort).",
          "type": "string",
          "pattern": "^[0-9]{1,5}-[0-9]{1,5}$"
        },
        "name": {
          "$ref": "#/$defs/ignored"
        },
        "appProtocol": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "containerDependency": {
      "description": "dependsOn: start this container only when another reaches a condition (ecs-reference 2.5).",
      "type": "object",
      "required": [
        "containerName",
        "condition"
      ],
      "properties": {
        "containerName": {
          "description": "The other container's name.",
          "type": "string",
          "minLength": 1
        },
        "condition": {
          "description": "START: it has started; COMPLETE: it has exited; SUCCESS: it exited with 0; HEALTHY: its health check passes. COMPLETE and SUCCESS cannot name an essential container; HEALTHY needs a healthCheck on it.",
          "enum": [
            "START",
            "COMPLETE",
            "SUCCESS",
            "HEALTHY"
          ]
        }
      },
      "additionalProperties": false
    },
    "healthCheck": {
      "description": "A container health check (ecs-reference 2.6).",
      "type": "object",
      "required": [
        "command"
      ],
      "properties": {
        "command": {
          "description": "[\"CMD\", ...] or [\"CMD-SHELL\", \"...\"].",
          "type": "array",
          "items": {
            "type": "string"
          },
          "minItems": 1,
          "maxItems": 1000,
          "prefixItems": [
            {
              "enum": [
                "CMD",
                "CMD-SHELL"
              ]
            }
          ]
        },
        "interval": {
          "description": "Time between probes, 5 s to 300 s.",
          "default": "30s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 5,
              "maximum": 300
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "timeout": {
          "description": "Time a probe may take, 2 s to 60 s.",
          "default": "5s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 2,
              "maximum": 60
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "retries": {
          "description": "Failed probes before UNHEALTHY.",
          "type": "integer",
          "minimum": 1,
          "maximum": 10,
          "default": 3
        },
        "startPeriod": {
          "description": "Grace time after start during which failures do not count, 0 to 300 s.",
          "default": "0s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 300
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        }
      },
      "additionalProperties": false
    },
    "resourceRequirement": {
      "description": "A resource requirement: GPUs count for placement; InferenceAccelerator (retired) is accepted and ignored.",
      "type": "object",
      "required": [
        "type",
        "value"
      ],
      "properties": {
        "type": {
          "description": "The resource.",
          "enum": [
            "GPU",
            "InferenceAccelerator"
          ]
        },
        "value": {
          "description": "For GPU, the number of GPUs as a string (\"1\" to \"64\").",
          "type": [
            "string",
            "integer"
          ]
        }
      },
      "additionalProperties": false
    },
    "containerSimulation": {
      "description": "ecsim's own container properties: how the simulated container behaves.",
      "type": "object",
      "properties": {
        "imageSizeMiB": {
          "description": "Image size; pull time = size / pull throughput. Default: timing.defaultImageSizeMiB.",
          "type": "number",
          "minimum": 0,
          "maximum": 1048576
        },
        "startDuration": {
          "description": "From create to the process running. Default: timing.containerStart.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "stopDuration": {
          "description": "How long the app takes to exit after SIGTERM; above stopTimeout it is killed (exit 137). Default: timing.sigtermExit.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "exitAfter": {
          "description": "A batch container: it exits by itself this long after the task is RUNNING.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "exitCode": {
          "description": "Its exit code then (needs exitAfter).",
          "type": "integer",
          "minimum": 0,
          "maximum": 255,
          "default": 0
        },
        "healthy": {
          "description": "Whether its health check passes (needs a healthCheck).",
          "type": "boolean",
          "default": true
        }
      },
      "additionalProperties": false
    },
    "containerDefinition": {
      "description": "A container definition as RegisterTaskDefinition takes it. Without a task-level memory, each container needs memory or memoryReservation.",
      "type": "object",
      "required": [
        "name",
        "image"
      ],
      "properties": {
        "name": {
          "description": "Container name: up to 255 letters, numbers, underscores and hyphens, unique in the task definition.",
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{1,255}$"
        },
        "image": {
          "description": "Image, e.g. \"public.ecr.aws/nginx/nginx:1.27\". Tasks pulling the same image on one instance share the pull.",
          "type": "string",
          "minLength": 1
        },
        "cpu": {
          "description": "CPU units reserved for the container (1024 = one vCPU).",
          "type": "integer",
          "minimum": 0,
          "maximum": 196608
        },
        "memory": {
          "description": "Hard memory limit in MiB; reserved when memoryReservation is absent.",
          "type": "integer",
          "minimum": 0,
          "maximum": 33554432
        },
        "memoryReservation": {
          "description": "Soft memory limit in MiB: what placement reserves.",
          "type": "integer",
          "minimum": 0,
          "maximum": 33554432
        },
        "resourceRequirements": {
          "description": "GPUs (and retired InferenceAccelerators).",
          "type": "array",
          "items": {
            "$ref": "#/$defs/resourceRequirement"
          },
          "maxItems": 100
        },
        "essential": {
          "description": "When an essential container exits, the task stops.",
          "type": "boolean",
          "default": true
        },
        "portMappings": {
          "description": "Ports the container listens on.",
          "type": "array",
          "items": {
            "$ref": "#/$defs/portMapping"
          },
          "maxItems": 10000
        },
        "dependsOn": {
          "description": "Start-order dependencies on other containers.",
          "type": "array",
          "items": {
            "$ref": "#/$defs/containerDependency"
          },
          "maxItems": 100
        },
        "healthCheck": {
          "$ref": "#/$defs/healthCheck"
        },
        "startTimeout": {
          "description": "How long a dependency may take to reach its condition.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "stopTimeout": {
          "description": "Time between SIGTERM and SIGKILL; 30 s when unset; at most 120 s on Fargate.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "ecsim": {
          "$ref": "#/$defs/containerSimulation"
        },
        "repositoryCredentials": {
          "$ref": "#/$defs/ignored"
        },
        "links": {
          "$ref": "#/$defs/ignored"
        },
        "entryPoint": {
          "$ref": "#/$defs/ignored"
        },
        "command": {
          "$ref": "#/$defs/ignored"
        },
        "environment": {
          "$ref": "#/$defs/ignored"
        },
        "environmentFiles": {
          "$ref": "#/$defs/ignored"
        },
        "mountPoints": {
          "$ref": "#/$defs/ignored"
        },
        "volumesFrom": {
          "$ref": "#/$defs/ignored"
        },
        "linuxParameters": {
          "$ref": "#/$defs/ignored"
        },
        "secrets": {
          "$ref": "#/$defs/ignored"
        },
        "hostname": {
          "$ref": "#/$defs/ignored"
        },
        "user": {
          "$ref": "#/$defs/ignored"
        },
        "workingDirectory": {
          "$ref": "#/$defs/ignored"
        },
        "disableNetworking": {
          "$ref": "#/$defs/ignored"
        },
        "privileged": {
          "$ref": "#/$defs/ignored"
        },
        "readonlyRootFilesystem": {
          "$ref": "#/$defs/ignored"
        },
        "dnsServers": {
          "$ref": "#/$defs/ignored"
        },
        "dnsSearchDomains": {
          "$ref": "#/$defs/ignored"
        },
        "extraHosts": {
          "$ref": "#/$defs/ignored"
        },
        "dockerSecurityOptions": {
          "$ref": "#/$defs/ignored"
        },
        "interactive": {
          "$ref": "#/$defs/ignored"
        },
        "pseudoTerminal": {
          "$ref": "#/$defs/ignored"
        },
        "dockerLabels": {
          "$ref": "#/$defs/ignored"
        },
        "ulimits": {
          "$ref": "#/$defs/ignored"
        },
        "logConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "systemControls": {
          "$ref": "#/$defs/ignored"
        },
        "firelensConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "credentialSpecs": {
          "$ref": "#/$defs/ignored"
        },
        "versionConsistency": {
          "$ref": "#/$defs/ignored"
        },
        "restartPolicy": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "registerTaskDefinitionInput": {
      "description": "RegisterTaskDefinition input, as `aws ecs register-task-definition` takes it. Fields that change nothing simulated (roles, volumes, tags ...) are accepted and ignored.",
      "type": "object",
      "required": [
        "family",
        "containerDefinitions"
      ],
      "properties": {
        "family": {
          "description": "The family: up to 255 letters, numbers, underscores and hyphens. Each registration of a family is revision n+1.",
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{1,255}$"
        },
        "networkMode": {
          "description": "Network mode (ecs-reference 2.3, 2.4). awsvpc tasks take an ENI each.",
          "enum": [
            "bridge",
            "awsvpc",
            "host",
            "none"
          ],
          "default": "bridge"
        },
        "requiresCompatibilities": {
          "description": "Launch types the definition is validated for.",
          "type": "array",
          "items": {
            "enum": [
              "EC2",
              "FARGATE",
              "EXTERNAL",
              "MANAGED_INSTANCES"
            ]
          },
          "maxItems": 10
        },
        "cpu": {
          "description": "Task CPU: CPU units (\"256\", 1024) or vCPUs (\"0.25 vCPU\", \"2 vCPU\"); 128 to 196608 units. Required on Fargate, from the Fargate table.",
          "anyOf": [
            {
              "type": "integer",
              "minimum": 128,
              "maximum": 196608
            },
            {
              "type": "string",
              "pattern": "^\\s*([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*([vV][cC][pP][uU])?\\s*$"
            }
          ]
        },
        "memory": {
          "description": "Task memory: MiB (\"512\", 2048) or GB (\"0.5 GB\", \"4 GB\"; 1 GB = 1024 MiB); 6 MiB to 32 TiB. Required on Fargate.",
          "anyOf": [
            {
              "type": "integer",
              "minimum": 6,
              "maximum": 33554432
            },
            {
              "type": "string",
              "pattern": "^\\s*([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*([mM][iI]?[bB]|[gG][iI]?[bB])?\\s*$"
            }
          ]
        },
        "containerDefinitions": {
          "description": "1 to 10 containers, at least one essential.",
          "type": "array",
          "items": {
            "$ref": "#/$defs/containerDefinition"
          },
          "minItems": 1,
          "maxItems": 10
        },
        "placementConstraints": {
          "description": "Task placement constraints: memberOf only (at most 10 with the run-time ones).",
          "type": "array",
          "items": {
            "description": "A memberOf constraint.",
            "type": "object",
            "required": [
              "type",
              "expression"
            ],
            "properties": {
              "type": {
                "description": "Only \"memberOf\" is allowed in a task definition.",
                "const": "memberOf"
              },
              "expression": {
                "description": "A cluster query, e.g. \"attribute:ecs.instance-type =~ c5.*\".",
                "type": "string",
                "minLength": 1
              }
            },
            "additionalProperties": false
          },
          "maxItems": 10
        },
        "runtimePlatform": {
          "description": "The platform the task needs.",
          "type": "object",
          "properties": {
            "cpuArchitecture": {
              "description": "CPU architecture.",
              "enum": [
                "X86_64",
                "ARM64"
              ]
            },
            "operatingSystemFamily": {
              "description": "Operating system family.",
              "enum": [
                "LINUX",
                "WINDOWS_SERVER_2016_FULL",
                "WINDOWS_SERVER_2019_FULL",
                "WINDOWS_SERVER_2019_CORE",
                "WINDOWS_SERVER_2022_FULL",
                "WINDOWS_SERVER_2022_CORE",
                "WINDOWS_SERVER_2025_FULL",
                "WINDOWS_SERVER_2025_CORE",
                "WINDOWS_SERVER_2004_CORE",
                "WINDOWS_SERVER_20H2_CORE"
              ],
              "default": "LINUX"
            }
          },
          "additionalProperties": false
        },
        "ephemeralStorage": {
          "description": "Fargate task storage; 20 GiB when absent.",
          "type": "object",
          "required": [
            "sizeInGiB"
          ],
          "properties": {
            "sizeInGiB": {
              "description": "21 to 200 GiB.",
              "type": "integer",
              "minimum": 21,
              "maximum": 200
            }
          },
          "additionalProperties": false
        },
        "taskRoleArn": {
          "$ref": "#/$defs/ignored"
        },
        "executionRoleArn": {
          "$ref": "#/$defs/ignored"
        },
        "volumes": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "pidMode": {
          "$ref": "#/$defs/ignored"
        },
        "ipcMode": {
          "$ref": "#/$defs/ignored"
        },
        "proxyConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "inferenceAccelerators": {
          "$ref": "#/$defs/ignored"
        },
        "enableFaultInjection": {
          "$ref": "#/$defs/ignored"
        },
        "taskDefinitionArn": {
          "$ref": "#/$defs/ignored"
        },
        "revision": {
          "$ref": "#/$defs/ignored"
        },
        "status": {
          "$ref": "#/$defs/ignored"
        },
        "requiresAttributes": {
          "$ref": "#/$defs/ignored"
        },
        "compatibilities": {
          "$ref": "#/$defs/ignored"
        },
        "registeredAt": {
          "$ref": "#/$defs/ignored"
        },
        "registeredBy": {
          "$ref": "#/$defs/ignored"
        },
        "deregisteredAt": {
          "$ref": "#/$defs/ignored"
        },
        "deleteRequestedAt": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "describedTaskDefinition": {
      "description": "What `aws ecs describe-task-definition` prints: {\"taskDefinition\": {...}, \"tags\": [...]}. Read-only fields (taskDefinitionArn, revision, status ...) are ignored.",
      "type": "object",
      "required": [
        "taskDefinition"
      ],
      "properties": {
        "taskDefinition": {
          "$ref": "#/$defs/registerTaskDefinitionInput"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "taskDefinition": {
      "description": "A task definition: RegisterTaskDefinition input, or describe-task-definition output.",
      "anyOf": [
        {
          "$ref": "#/$defs/registerTaskDefinitionInput"
        },
        {
          "$ref": "#/$defs/describedTaskDefinition"
        }
      ]
    },
    "applicationModel": {
      "description": "ecsim's model of the application behind a target group (INFERRED defaults).",
      "type": "object",
      "properties": {
        "workers": {
          "description": "Requests a task serves at once.",
          "type": "integer",
          "minimum": 1,
          "maximum": 100000,
          "default": 10
        },
        "queueLimit": {
          "description": "Requests that wait for a worker; beyond it the app answers 503.",
          "type": "integer",
          "minimum": 0,
          "maximum": 10000000,
          "default": 100
        },
        "queueTimeout": {
          "description": "A waiting request gives up after this; absent: never.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "unhealthyResponseCode": {
          "description": "What an unhealthy app answers.",
          "type": "integer",
          "minimum": 400,
          "maximum": 599,
          "default": 503
        },
        "healthCheckServiceTime": {
          "description": "Time to answer a health check, up to 1 minute.",
          "default": "1ms",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 60
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "baseMemoryMiB": {
          "description": "Memory the app uses when idle.",
          "type": "number",
          "minimum": 0,
          "maximum": 4194304,
          "default": 128
        },
        "memoryPerRequestMiB": {
          "description": "Memory per request in flight.",
          "type": "number",
          "minimum": 0,
          "maximum": 1048576,
          "default": 1
        },
        "errorRate": {
          "description": "Share of requests answered with an error.",
          "type": "number",
          "minimum": 0,
          "maximum": 1,
          "default": 0
        }
      },
      "additionalProperties": false
    },
    "targetGroup": {
      "description": "ELBv2 CreateTargetGroup input: targets, health checks and attributes (ecs-reference 9).",
      "type": "object",
      "properties": {
        "Name": {
          "description": "The target group's name: 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen.",
          "type": "string",
          "pattern": "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$"
        },
        "name": {
          "description": "Same as Name, in ecsim's style; give one of the two.",
)ecsim",
R"ecsim(          "type": "string",
          "pattern": "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$"
        },
        "Protocol": {
          "description": "Protocol to the targets.",
          "enum": [
            "HTTP",
            "HTTPS"
          ],
          "default": "HTTP"
        },
        "ProtocolVersion": {
          "description": "Accepted; ecsim models HTTP requests.",
          "enum": [
            "HTTP1",
            "HTTP2",
            "GRPC"
          ],
          "default": "HTTP1"
        },
        "Port": {
          "description": "Port of the targets.",
          "type": "integer",
          "minimum": 1,
          "maximum": 65535,
          "default": 80
        },
        "TargetType": {
          "description": "instance (bridge and host tasks) or ip (awsvpc tasks).",
          "enum": [
            "instance",
            "ip"
          ],
          "default": "instance"
        },
        "HealthCheckEnabled": {
          "description": "Only Lambda target groups can turn health checks off: must be true.",
          "const": true
        },
        "HealthCheckProtocol": {
          "description": "Protocol of health checks; default Protocol.",
          "enum": [
            "HTTP",
            "HTTPS"
          ]
        },
        "HealthCheckPort": {
          "description": "\"traffic-port\" (the default) or a port.",
          "anyOf": [
            {
              "type": "integer",
              "minimum": 1,
              "maximum": 65535
            },
            {
              "type": "string",
              "pattern": "^(traffic-port|[0-9]{1,5})$"
            }
          ]
        },
        "HealthCheckPath": {
          "description": "Path of health checks.",
          "type": "string",
          "default": "/",
          "pattern": "^/",
          "maxLength": 1024
        },
        "HealthCheckIntervalSeconds": {
          "description": "Seconds between health checks; more than the timeout.",
          "type": "integer",
          "minimum": 5,
          "maximum": 300,
          "default": 30
        },
        "HealthCheckTimeoutSeconds": {
          "description": "Seconds a health check may take.",
          "type": "integer",
          "minimum": 2,
          "maximum": 120,
          "default": 5
        },
        "HealthyThresholdCount": {
          "description": "Passed checks before a target is healthy.",
          "type": "integer",
          "minimum": 2,
          "maximum": 10,
          "default": 5
        },
        "UnhealthyThresholdCount": {
          "description": "Failed checks before a target is unhealthy.",
          "type": "integer",
          "minimum": 2,
          "maximum": 10,
          "default": 2
        },
        "Matcher": {
          "description": "Codes that count as healthy.",
          "type": "object",
          "properties": {
            "HttpCode": {
              "description": "\"200\", \"200,202\" or \"200-299\", from 200 to 499.",
              "type": "string",
              "default": "200",
              "pattern": "^[0-9]{3}(-[0-9]{3})?(,[0-9]{3}(-[0-9]{3})?)*$"
            },
            "GrpcCode": {
              "$ref": "#/$defs/ignored"
            }
          },
          "additionalProperties": false
        },
        "Attributes": {
          "description": "Target group attributes by their AWS keys (deregistration_delay.timeout_seconds, slow_start.duration_seconds, load_balancing.algorithm.type ...).",
          "type": "array",
          "items": {
            "description": "One attribute: Key and Value (a string, as AWS takes it; numbers and booleans are accepted).",
            "type": "object",
            "required": [
              "Key",
              "Value"
            ],
            "properties": {
              "Key": {
                "description": "The attribute.",
                "enum": [
                  "deregistration_delay.timeout_seconds",
                  "slow_start.duration_seconds",
                  "load_balancing.algorithm.type",
                  "load_balancing.algorithm.anomaly_mitigation",
                  "load_balancing.cross_zone.enabled",
                  "stickiness.enabled",
                  "stickiness.type",
                  "stickiness.lb_cookie.duration_seconds",
                  "stickiness.app_cookie.cookie_name",
                  "stickiness.app_cookie.duration_seconds"
                ]
              },
              "Value": {
                "description": "Its value, e.g. \"300\" or \"round_robin\".",
                "type": [
                  "string",
                  "integer",
                  "boolean"
                ]
              }
            },
            "additionalProperties": false
          },
          "maxItems": 100
        },
        "ecsim": {
          "$ref": "#/$defs/applicationModel"
        },
        "VpcId": {
          "$ref": "#/$defs/ignored"
        },
        "Tags": {
          "$ref": "#/$defs/ignored"
        },
        "IpAddressType": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "oneOf": [
        {
          "required": [
            "Name"
          ]
        },
        {
          "required": [
            "name"
          ]
        }
      ]
    },
    "forwardAction": {
      "description": "A forward action: to one target group (TargetGroupArn) or to several by weight (ForwardConfig).",
      "type": "object",
      "required": [
        "Type"
      ],
      "properties": {
        "Type": {
          "description": "Only forward actions are modelled.",
          "const": "forward"
        },
        "TargetGroupArn": {
          "description": "The target group: its Name or an ARN ending in targetgroup/<Name>/<id>.",
          "type": "string",
          "minLength": 1
        },
        "ForwardConfig": {
          "description": "Weighted forwarding to up to 5 target groups (blue/green).",
          "type": "object",
          "required": [
            "TargetGroups"
          ],
          "properties": {
            "TargetGroups": {
              "description": "Target groups and their weights.",
              "type": "array",
              "items": {
                "description": "A target group and its weight.",
                "type": "object",
                "properties": {
                  "TargetGroupArn": {
                    "description": "The target group: its Name or ARN.",
                    "type": "string",
                    "minLength": 1
                  },
                  "TargetGroupName": {
                    "description": "The target group's Name.",
                    "type": "string",
                    "minLength": 1
                  },
                  "Weight": {
                    "description": "Share of traffic: weight / sum of weights.",
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 999,
                    "default": 1
                  }
                },
                "additionalProperties": false,
                "oneOf": [
                  {
                    "required": [
                      "TargetGroupArn"
                    ]
                  },
                  {
                    "required": [
                      "TargetGroupName"
                    ]
                  }
                ]
              },
              "minItems": 1,
              "maxItems": 5
            },
            "TargetGroupStickinessConfig": {
              "description": "Stickiness is not modelled: Enabled must be false.",
              "type": "object",
              "properties": {
                "Enabled": {
                  "description": "Must be false.",
                  "const": false
                },
                "DurationSeconds": {
                  "$ref": "#/$defs/ignored"
                }
              },
              "additionalProperties": false
            }
          },
          "additionalProperties": false
        },
        "Order": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "oneOf": [
        {
          "required": [
            "TargetGroupArn"
          ]
        },
        {
          "required": [
            "ForwardConfig"
          ]
        }
      ]
    },
    "listener": {
      "description": "ELBv2 CreateListener input: a port and one forward action.",
      "type": "object",
      "required": [
        "Port",
        "DefaultActions"
      ],
      "properties": {
        "Port": {
          "description": "Listener port; unique within the load balancer.",
          "type": "integer",
          "minimum": 1,
          "maximum": 65535
        },
        "Protocol": {
          "description": "Listener protocol.",
          "enum": [
            "HTTP",
            "HTTPS"
          ],
          "default": "HTTP"
        },
        "testListener": {
          "description": "ecsim: a test listener for blue/green test traffic.",
          "type": "boolean",
          "default": false
        },
        "DefaultActions": {
          "description": "One forward action.",
          "type": "array",
          "items": {
            "$ref": "#/$defs/forwardAction"
          },
          "minItems": 1,
          "maxItems": 1
        },
        "Certificates": {
          "$ref": "#/$defs/ignored"
        },
        "SslPolicy": {
          "$ref": "#/$defs/ignored"
        },
        "AlpnPolicy": {
          "$ref": "#/$defs/ignored"
        },
        "Tags": {
          "$ref": "#/$defs/ignored"
        },
        "MutualAuthentication": {
          "$ref": "#/$defs/ignored"
        },
        "LoadBalancerArn": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "loadBalancer": {
      "description": "ELBv2 CreateLoadBalancer input (an Application Load Balancer) with its listeners.",
      "type": "object",
      "required": [
        "Listeners"
      ],
      "properties": {
        "Name": {
          "description": "The load balancer's name: 1 to 32 letters, digits or hyphens, not starting or ending with a hyphen.",
          "type": "string",
          "pattern": "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$"
        },
        "name": {
          "description": "Same as Name, in ecsim's style; give one of the two.",
          "type": "string",
          "pattern": "^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$"
        },
        "Type": {
          "description": "Only application load balancers.",
          "enum": [
            "application"
          ],
          "default": "application"
        },
        "Scheme": {
          "description": "Accepted.",
          "enum": [
            "internet-facing",
            "internal"
          ],
          "default": "internet-facing"
        },
        "Attributes": {
          "description": "Load balancer attributes by their AWS keys (idle_timeout.timeout_seconds ...).",
          "type": "array",
          "items": {
            "description": "One attribute: Key and Value (a string, as AWS takes it; numbers and booleans are accepted).",
            "type": "object",
            "required": [
              "Key",
              "Value"
            ],
            "properties": {
              "Key": {
                "description": "The attribute.",
                "enum": [
                  "idle_timeout.timeout_seconds",
                  "deletion_protection.enabled",
                  "load_balancing.cross_zone.enabled",
                  "routing.http2.enabled",
                  "access_logs.s3.enabled",
                  "access_logs.s3.bucket",
                  "access_logs.s3.prefix",
                  "connection_logs.s3.enabled",
                  "connection_logs.s3.bucket",
                  "connection_logs.s3.prefix",
                  "client_keep_alive.seconds",
                  "routing.http.drop_invalid_header_fields.enabled",
                  "routing.http.desync_mitigation_mode",
                  "routing.http.preserve_host_header.enabled",
                  "routing.http.x_amzn_tls_version_and_cipher_suite.enabled",
                  "routing.http.xff_client_port.enabled",
                  "routing.http.xff_header_processing.mode",
                  "waf.fail_open.enabled",
                  "zonal_shift.config.enabled"
                ]
              },
              "Value": {
                "description": "Its value, e.g. \"300\" or \"round_robin\".",
                "type": [
                  "string",
                  "integer",
                  "boolean"
                ]
              }
            },
            "additionalProperties": false
          },
          "maxItems": 100
        },
        "Listeners": {
          "description": "At least one listener.",
          "type": "array",
          "items": {
            "$ref": "#/$defs/listener"
          },
          "minItems": 1,
          "maxItems": 50
        },
        "Subnets": {
          "$ref": "#/$defs/ignored"
        },
        "SubnetMappings": {
          "$ref": "#/$defs/ignored"
        },
        "SecurityGroups": {
          "$ref": "#/$defs/ignored"
        },
        "Tags": {
          "$ref": "#/$defs/ignored"
        },
        "IpAddressType": {
          "$ref": "#/$defs/ignored"
        },
        "CustomerOwnedIpv4Pool": {
          "$ref": "#/$defs/ignored"
        },
        "EnablePrefixForIpv6SourceNat": {
          "$ref": "#/$defs/ignored"
        },
        "IpamPools": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "oneOf": [
        {
          "required": [
            "Name"
          ]
        },
        {
          "required": [
            "name"
          ]
        }
      ]
    },
    "trafficPattern": {
      "description": "The arrival rate over time. Every type except constant draws Poisson arrivals.",
      "type": "object",
      "required": [
        "type"
      ],
      "properties": {
        "type": {
          "description": "The kind.",
          "enum": [
            "constant",
            "poisson",
            "ramp",
            "steps",
            "dailyCycle",
            "spike",
            "csv"
          ]
        },
        "rate": {
          "description": "Evenly spaced arrivals (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "from": {
          "description": "Rate at start (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "to": {
          "description": "Rate after duration (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "start": {
          "description": "When the ramp begins.",
          "default": 0,
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "duration": {
          "description": "How long it takes.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "steps": {
          "description": "Rates from given times, in time order.",
          "type": "array",
          "items": {
            "description": "A step.",
            "type": "object",
            "required": [
              "at",
              "rate"
            ],
            "properties": {
              "at": {
                "description": "From when.",
                "anyOf": [
                  {
                    "type": "number",
                    "minimum": 0
                  },
                  {
                    "$ref": "#/$defs/durationString"
                  }
                ]
              },
              "rate": {
                "description": "The rate (requests per second).",
                "type": "number",
                "minimum": 0,
                "maximum": 10000000
              }
            },
            "additionalProperties": false
          },
          "maxItems": 100000
        },
        "mean": {
          "description": "Mean rate (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "amplitude": {
          "description": "Swing as a share of the mean.",
          "type": "number",
          "minimum": 0,
          "maximum": 1,
          "default": 0.5
        },
        "period": {
          "description": "Cycle length.",
          "default": "24h",
          "anyOf": [
            {
              "type": "number",
              "minimum": 1
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "peakAt": {
          "description": "Time of the peak within the cycle.",
          "default": "12h",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "base": {
          "description": "Rate outside the spike (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "peak": {
          "description": "Rate during the spike (requests per second).",
          "type": "number",
          "minimum": 0,
          "maximum": 10000000
        },
        "at": {
          "description": "When the spike begins.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "path": {
          "description": "A CSV file of time,rate lines, relative to the scenario's folder and inside it.",
          "type": "string",
          "minLength": 1
        },
        "interpolation": {
          "description": "Between lines: hold (step) or interpolate (linear).",
          "enum": [
            "step",
            "linear"
          ],
          "default": "step"
        },
        "scale": {
          "description": "Multiplies every rate.",
          "type": "number",
          "minimum": 0,
          "maximum": 1000,
          "default": 1
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "type": {
                "const": "constant"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "rate"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "rate"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "poisson"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "rate"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "rate"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "ramp"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "from",
              "to",
              "duration"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "from",
                "to",
                "start",
                "duration"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "steps"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "steps"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "steps"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "dailyCycle"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean",
                "amplitude",
                "period",
                "peakAt"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "spike"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "base",
              "peak",
              "at",
              "duration"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "base",
                "peak",
                "at",
                "duration"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "csv"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "path"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "path",
                "interpolation",
                "scale"
              ]
            }
          }
        }
      ]
    },
    "distributionObject": {
      "description": "A distribution of durations; every time is a duration.",
      "type": "object",
      "required": [
        "type"
      ],
      "properties": {
        "type": {
          "description": "The kind.",
          "enum": [
            "constant",
            "uniform",
            "exponential",
            "normal",
            "lognormal",
            "gamma",
            "erlang",
            "empirical"
          ]
        },
        "value": {
          "description": "The value.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "low": {
          "description": "Lowest.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "high": {
          "description": "Highest.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "mean": {
          "description": "Mean.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "stddev": {
          "description": "Standard deviation.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "cv": {
          "description": "Coefficient of variation, stddev / mean.",
          "type": "number",
          "minimum": 0,
          "maximum": 100
        },
        "shape": {
          "description": "Shape.",
          "type": "number",
          "minimum": 0.001,
          "maximum": 1000000
        },
        "k": {
          "description": "Phases.",
          "type": "integer",
          "minimum": 1,
          "maximum": 1000
        },
        "cdf": {
          "description": "[duration, cumulativeProbability] pairs.",
          "type": "array",
          "items": {
            "type": "array",
            "minItems": 2,
            "maxItems": 2,
            "prefixItems": [
              {
                "$ref": "#/$defs/duration"
              },
              {
                "type": "number"
              }
            ]
          },
          "maxItems": 10000
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "type": {
                "const": "constant"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "value"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "value"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "uniform"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "low",
              "high"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "low",
                "high"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "exponential"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "normal"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean",
              "stddev"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean",
                "stddev"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "lognormal"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean",
              "cv"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean",
                "cv"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "gamma"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean",
              "shape"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean",
                "shape"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "erlang"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "mean",
              "k"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "mean",
                "k"
              ]
            }
          }
        },
        {
          "if": {
            "properties": {
              "type": {
                "const": "empirical"
              }
            },
            "required": [
              "type"
            ]
          },
          "then": {
            "required": [
              "cdf"
            ],
            "propertyNames": {
              "enum": [
                "type",
                "cdf"
              ]
            }
          }
        }
      ]
    },
    "distribution": {
      "description": "A duration (constant) or a distribution object such as {\"type\": \"lognormal\", \"mean\": \"40ms\", \"cv\": 1}.",
      "anyOf": [
        {
          "$ref": "#/$defs/duration"
        },
        {
          "$ref": "#/$defs/distributionObject"
        }
      ]
    },
    "trafficSource": {
      "description": "ecsim's own: requests arriving at a listener.",
      "type": "object",
      "required": [
        "listener",
        "pattern",
        "request"
      ],
      "properties": {
        "name": {
          "description": "Shown in outputs; default traffic-<index>.",
          "type": "string",
          "minLength": 1
        },
        "listener": {
          "description": "\"<load balancer Name>:<port>\".",
          "type": "string",
          "pattern": "^.+:[0-9]+$"
        },
        "randomStream": {
)ecsim",
R"ecsim(          "description": "Sources that share it draw the same arrivals and service times; default the name.",
          "type": "string",
          "minLength": 1
        },
        "pattern": {
          "$ref": "#/$defs/trafficPattern"
        },
        "request": {
          "description": "What each request costs.",
          "type": "object",
          "required": [
            "serviceTime"
          ],
          "properties": {
            "serviceTime": {
              "$ref": "#/$defs/distribution"
            },
            "cpu": {
              "description": "CPU units in use while served.",
              "type": "integer",
              "minimum": 0,
              "maximum": 1048576,
              "default": 256
            }
          },
          "additionalProperties": false
        },
        "start": {
          "description": "When the source starts.",
          "default": 0,
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "end": {
          "description": "When it stops; absent: the end of the run.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        }
      },
      "additionalProperties": false
    },
    "serviceLoadBalancer": {
      "description": "A target group the service registers its tasks in (CreateService loadBalancers[]).",
      "type": "object",
      "required": [
        "targetGroupArn",
        "containerName",
        "containerPort"
      ],
      "properties": {
        "targetGroupArn": {
          "description": "The target group: its Name or ARN.",
          "type": "string",
          "minLength": 1
        },
        "containerName": {
          "description": "The container that receives traffic.",
          "type": "string",
          "minLength": 1
        },
        "containerPort": {
          "description": "Its port.",
          "type": "integer",
          "minimum": 1,
          "maximum": 65535
        },
        "loadBalancerName": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "deploymentConfiguration": {
      "description": "How a rolling deployment proceeds (ecs-reference 6).",
      "type": "object",
      "properties": {
        "minimumHealthyPercent": {
          "description": "Lower bound of healthy tasks during a deployment, as a percentage of desiredCount (rounded up). Default 100 for REPLICA, 0 for DAEMON.",
          "type": "integer",
          "minimum": 0,
          "maximum": 100
        },
        "maximumPercent": {
          "description": "Upper bound of live tasks during a deployment, as a percentage of desiredCount (rounded down). Default 200 for REPLICA; must be 100 for DAEMON.",
          "type": "integer",
          "minimum": 100,
          "maximum": 1000
        },
        "deploymentCircuitBreaker": {
          "description": "The deployment circuit breaker (ecs-reference 6.3).",
          "type": "object",
          "required": [
            "enable"
          ],
          "properties": {
            "enable": {
              "description": "Fail a deployment whose tasks keep failing.",
              "type": "boolean"
            },
            "rollback": {
              "description": "On failure, roll back to the last completed deployment.",
              "type": "boolean",
              "default": false
            }
          },
          "additionalProperties": false
        },
        "strategy": {
          "description": "Only ROLLING is modelled by this version of ecsim.",
          "enum": [
            "ROLLING"
          ],
          "default": "ROLLING"
        },
        "alarms": {
          "$ref": "#/$defs/ignored"
        },
        "bakeTimeInMinutes": {
          "$ref": "#/$defs/ignored"
        },
        "lifecycleHooks": {
          "$ref": "#/$defs/ignored"
        },
        "linearConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "canaryConfiguration": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "createServiceInput": {
      "description": "CreateService input. Fields that change nothing simulated (networkConfiguration, tags, serviceRegistries ...) are accepted and ignored.",
      "type": "object",
      "required": [
        "serviceName",
        "taskDefinition"
      ],
      "properties": {
        "serviceName": {
          "description": "The service's name: 1 to 255 letters, numbers, hyphens and underscores. Its tasks form the task group service:<name>.",
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{1,255}$"
        },
        "taskDefinition": {
          "description": "family or family:revision.",
          "type": "string",
          "minLength": 1
        },
        "desiredCount": {
          "description": "Tasks to keep running (REPLICA only).",
          "type": "integer",
          "minimum": 0,
          "maximum": 5000,
          "default": 0
        },
        "launchType": {
          "description": "Where tasks run.",
          "enum": [
            "EC2",
            "FARGATE"
          ],
          "default": "EC2"
        },
        "schedulingStrategy": {
          "description": "REPLICA keeps desiredCount tasks; DAEMON runs one task on each ACTIVE instance (ecs-reference 5.1).",
          "enum": [
            "REPLICA",
            "DAEMON"
          ],
          "default": "REPLICA"
        },
        "placementStrategy": {
          "$ref": "#/$defs/placementStrategies"
        },
        "placementConstraints": {
          "$ref": "#/$defs/placementConstraints"
        },
        "deploymentConfiguration": {
          "$ref": "#/$defs/deploymentConfiguration"
        },
        "deploymentController": {
          "description": "The deployment controller.",
          "type": "object",
          "properties": {
            "type": {
              "description": "Only ECS (rolling) is modelled by this version of ecsim.",
              "enum": [
                "ECS"
              ],
              "default": "ECS"
            }
          },
          "additionalProperties": false
        },
        "loadBalancers": {
          "description": "Target groups to register the service's tasks in (at most 5).",
          "type": "array",
          "items": {
            "$ref": "#/$defs/serviceLoadBalancer"
          },
          "maxItems": 5
        },
        "healthCheckGracePeriodSeconds": {
          "description": "Time after a task starts during which failed health checks do not replace it (a number of seconds, or a duration).",
          "default": 0,
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 2147483647
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "role": {
          "$ref": "#/$defs/ignored"
        },
        "serviceRegistries": {
          "$ref": "#/$defs/ignored"
        },
        "serviceConnectConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "volumeConfigurations": {
          "$ref": "#/$defs/ignored"
        },
        "availabilityZoneRebalancing": {
          "$ref": "#/$defs/ignored"
        },
        "capacityProviderStrategy": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "schedulingStrategy": {
                "const": "DAEMON"
              }
            },
            "required": [
              "schedulingStrategy"
            ]
          },
          "then": {
            "properties": {
              "desiredCount": false,
              "launchType": {
                "const": "EC2"
              },
              "placementStrategy": {
                "maxItems": 0
              },
              "deploymentConfiguration": {
                "properties": {
                  "maximumPercent": {
                    "const": 100
                  }
                }
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "launchType": {
                "const": "FARGATE"
              }
            },
            "required": [
              "launchType"
            ]
          },
          "then": {
            "properties": {
              "placementStrategy": {
                "maxItems": 0
              },
              "placementConstraints": {
                "maxItems": 0
              }
            }
          }
        }
      ]
    },
    "runTaskInput": {
      "description": "RunTask input: places and starts tasks; tasks that cannot be placed are reported in an `ecsim API Call Failure` event.",
      "type": "object",
      "required": [
        "taskDefinition"
      ],
      "properties": {
        "taskDefinition": {
          "description": "family or family:revision.",
          "type": "string",
          "minLength": 1
        },
        "count": {
          "description": "Tasks to start.",
          "type": "integer",
          "minimum": 1,
          "maximum": 10,
          "default": 1
        },
        "launchType": {
          "description": "Where tasks run.",
          "enum": [
            "EC2",
            "FARGATE"
          ],
          "default": "EC2"
        },
        "group": {
          "description": "Task group; default family:<family>.",
          "type": "string"
        },
        "startedBy": {
          "description": "Recorded on the tasks.",
          "type": "string"
        },
        "placementStrategy": {
          "$ref": "#/$defs/placementStrategies"
        },
        "placementConstraints": {
          "$ref": "#/$defs/placementConstraints"
        },
        "capacityProviderStrategy": {
          "description": "Capacity provider strategy; use launchType. Reserved for a later version of ecsim: must be empty.",
          "type": "array",
          "maxItems": 0
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "if": {
        "properties": {
          "launchType": {
            "const": "FARGATE"
          }
        },
        "required": [
          "launchType"
        ]
      },
      "then": {
        "properties": {
          "placementStrategy": {
            "maxItems": 0
          },
          "placementConstraints": {
            "maxItems": 0
          }
        }
      }
    },
    "stopTaskInput": {
      "description": "StopTask input: one task by id or ARN, or ecsim's selector group + count (the oldest running tasks of the group). stopCode UserInitiated.",
      "type": "object",
      "properties": {
        "task": {
          "description": "Task id or ARN.",
          "type": "string",
          "minLength": 1
        },
        "reason": {
          "description": "stoppedReason.",
          "type": "string",
          "default": "Task stopped by user"
        },
        "group": {
          "description": "ecsim: stop `count` running tasks of this group instead.",
          "type": "string",
          "minLength": 1
        },
        "count": {
          "description": "With group: how many.",
          "type": "integer",
          "minimum": 1,
          "maximum": 5000,
          "default": 1
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "oneOf": [
        {
          "required": [
            "task"
          ]
        },
        {
          "required": [
            "group"
          ]
        }
      ]
    },
    "updateContainerInstancesStateInput": {
      "description": "UpdateContainerInstancesState input: DRAINING stops new placements (ecs-reference 3.3).",
      "type": "object",
      "required": [
        "containerInstances",
        "status"
      ],
      "properties": {
        "containerInstances": {
          "description": "EC2 instance ids (i-00000000000000001) or container instance ARNs.",
          "type": "array",
          "items": {
            "type": "string"
          },
          "minItems": 1,
          "maxItems": 10
        },
        "status": {
          "description": "The new status.",
          "enum": [
            "ACTIVE",
            "DRAINING"
          ]
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "terminateInstanceInput": {
      "description": "ecsim fault: the instance is lost; its tasks stop at once (stopCode TerminationNotice).",
      "type": "object",
      "required": [
        "instanceId"
      ],
      "properties": {
        "instanceId": {
          "description": "EC2 instance id; instances are numbered in launch order from i-00000000000000001.",
          "type": "string",
          "minLength": 1
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "failImagePullInput": {
      "description": "ecsim fault: pulls of the image fail (TaskFailedToStart, CannotPullContainerError).",
      "type": "object",
      "required": [
        "image"
      ],
      "properties": {
        "image": {
          "description": "The image, as in containerDefinitions[].image.",
          "type": "string",
          "minLength": 1
        },
        "duration": {
          "description": "How long pulls fail; absent: for the rest of the run.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "updateServiceInput": {
      "description": "UpdateService input: only what the call names changes. A new task definition (or forceNewDeployment) starts a deployment.",
      "type": "object",
      "required": [
        "service"
      ],
      "properties": {
        "service": {
          "description": "The service's name.",
          "type": "string",
          "minLength": 1
        },
        "desiredCount": {
          "description": "New desired count.",
          "type": "integer",
          "minimum": 0,
          "maximum": 5000
        },
        "taskDefinition": {
          "description": "family or family:revision.",
          "type": "string",
          "minLength": 1
        },
        "deploymentConfiguration": {
          "$ref": "#/$defs/deploymentConfiguration"
        },
        "healthCheckGracePeriodSeconds": {
          "description": "New grace period.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "forceNewDeployment": {
          "description": "Start a new deployment with the same task definition.",
          "type": "boolean",
          "default": false
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "role": {
          "$ref": "#/$defs/ignored"
        },
        "serviceRegistries": {
          "$ref": "#/$defs/ignored"
        },
        "serviceConnectConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "volumeConfigurations": {
          "$ref": "#/$defs/ignored"
        },
        "availabilityZoneRebalancing": {
          "$ref": "#/$defs/ignored"
        },
        "capacityProviderStrategy": {
          "$ref": "#/$defs/ignored"
        },
        "placementStrategy": {
          "$ref": "#/$defs/ignored"
        },
        "placementConstraints": {
          "$ref": "#/$defs/ignored"
        },
        "loadBalancers": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "deleteServiceInput": {
      "description": "DeleteService input: the service drains to INACTIVE (ecs-reference 5.4).",
      "type": "object",
      "required": [
        "service"
      ],
      "properties": {
        "service": {
          "description": "The service's name.",
          "type": "string",
          "minLength": 1
        },
        "force": {
          "description": "Delete without scaling to zero first.",
          "type": "boolean",
          "default": false
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false
    },
    "createServiceTimelineInput": {
      "description": "CreateService input (as in services[]).",
      "type": "object",
      "required": [
        "serviceName",
        "taskDefinition"
      ],
      "properties": {
        "serviceName": {
          "description": "The service's name: 1 to 255 letters, numbers, hyphens and underscores. Its tasks form the task group service:<name>.",
          "type": "string",
          "pattern": "^[A-Za-z0-9_-]{1,255}$"
        },
        "taskDefinition": {
          "description": "family or family:revision.",
          "type": "string",
          "minLength": 1
        },
        "desiredCount": {
          "description": "Tasks to keep running (REPLICA only).",
          "type": "integer",
          "minimum": 0,
          "maximum": 5000,
          "default": 0
        },
        "launchType": {
          "description": "Where tasks run.",
          "enum": [
            "EC2",
            "FARGATE"
          ],
          "default": "EC2"
        },
        "schedulingStrategy": {
          "description": "REPLICA keeps desiredCount tasks; DAEMON runs one task on each ACTIVE instance (ecs-reference 5.1).",
          "enum": [
            "REPLICA",
            "DAEMON"
          ],
          "default": "REPLICA"
        },
        "placementStrategy": {
          "$ref": "#/$defs/placementStrategies"
        },
        "placementConstraints": {
          "$ref": "#/$defs/placementConstraints"
        },
        "deploymentConfiguration": {
          "$ref": "#/$defs/deploymentConfiguration"
        },
        "deploymentController": {
          "description": "The deployment controller.",
          "type": "object",
          "properties": {
            "type": {
              "description": "Only ECS (rolling) is modelled by this version of ecsim.",
              "enum": [
                "ECS"
              ],
              "default": "ECS"
            }
          },
          "additionalProperties": false
        },
        "loadBalancers": {
          "description": "Target groups to register the service's tasks in (at most 5).",
          "type": "array",
          "items": {
            "$ref": "#/$defs/serviceLoadBalancer"
          },
          "maxItems": 5
        },
        "healthCheckGracePeriodSeconds": {
          "description": "Time after a task starts during which failed health checks do not replace it (a number of seconds, or a duration).",
          "default": 0,
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 2147483647
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "cluster": {
          "$ref": "#/$defs/ignored"
        },
        "clientToken": {
          "$ref": "#/$defs/ignored"
        },
        "enableECSManagedTags": {
          "$ref": "#/$defs/ignored"
        },
        "enableExecuteCommand": {
          "$ref": "#/$defs/ignored"
        },
        "propagateTags": {
          "$ref": "#/$defs/ignored"
        },
        "tags": {
          "$ref": "#/$defs/ignored"
        },
        "platformVersion": {
          "$ref": "#/$defs/ignored"
        },
        "networkConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "role": {
          "$ref": "#/$defs/ignored"
        },
        "serviceRegistries": {
          "$ref": "#/$defs/ignored"
        },
        "serviceConnectConfiguration": {
          "$ref": "#/$defs/ignored"
        },
        "volumeConfigurations": {
          "$ref": "#/$defs/ignored"
        },
        "availabilityZoneRebalancing": {
          "$ref": "#/$defs/ignored"
        },
        "capacityProviderStrategy": {
          "$ref": "#/$defs/ignored"
        },
        "referenceId": {
          "$ref": "#/$defs/ignored"
        },
        "overrides": {
          "$ref": "#/$defs/ignored"
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "schedulingStrategy": {
                "const": "DAEMON"
              }
            },
            "required": [
              "schedulingStrategy"
            ]
          },
          "then": {
            "properties": {
              "desiredCount": false,
              "launchType": {
                "const": "EC2"
              },
              "placementStrategy": {
                "maxItems": 0
              },
              "deploymentConfiguration": {
                "properties": {
                  "maximumPercent": {
                    "const": 100
                  }
                }
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "launchType": {
                "const": "FARGATE"
              }
            },
            "required": [
              "launchType"
            ]
          },
          "then": {
            "properties": {
              "placementStrategy": {
                "maxItems": 0
              },
              "placementConstraints": {
                "maxItems": 0
              }
            }
          }
        }
      ]
    },
    "registerTaskDefinitionTimelineInput": {
      "description": "RegisterTaskDefinition input: registers the next revision of the family.",
      "anyOf": [
        {
          "description": "RegisterTaskDefinition input, as `aws ecs register-task-definition` takes it. Fields that change nothing simulated (roles, volumes, tags ...) are accepted and ignored.",
          "type": "object",
          "required": [
            "family",
            "containerDefinitions"
          ],
          "properties": {
            "family": {
              "description": "The family: up to 255 letters, numbers, underscores and hyphens. Each registration of a family is revision n+1.",
              "type": "string",
              "pattern": "^[A-Za-z0-9_-]{1,255}$"
            },
            "networkMode": {
              "description": "Network mode (ecs-reference 2.3, 2.4). awsvpc tasks take an ENI each.",
              "enum": [
                "bridge",
                "awsvpc",
                "host",
                "none"
              ],
              "default": "bridge"
            },
            "requiresCompatibilities": {
              "description": "Launch types the definition is validated for.",
              "type": "array",
              "items": {
                "enum": [
                  "EC2",
                  "FARGATE",
                  "EXTERNAL",
                  "MANAGED_INSTANCES"
                ]
              },
              "maxItems": 10
            },
            "cpu": {
              "description": "Task CPU: CPU units (\"256\", 1024) or vCPUs (\"0.25 vCPU\", \"2 vCPU\"); 128 to 196608 units. Required on Fargate, from the Fargate table.",
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 128,
                  "maximum": 196608
                },
                {
                  "type": "string",
                  "pattern": "^\\s*([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*([vV][cC][pP][uU])?\\s*$"
                }
              ]
            },
            "memory": {
              "description": "Task memory: MiB (\"512\", 2048) or GB (\"0.5 GB\", \"4 GB\"; 1 GB = 1024 MiB); 6 MiB to 32 TiB. Required on Fargate.",
              "anyOf": [
                {
                  "type": "integer",
                  "minimum": 6,
                  "maximum": 33554432
                },
                {
                  "type": "string",
)ecsim",
R"ecsim(                  "pattern": "^\\s*([0-9]+(\\.[0-9]*)?|\\.[0-9]+)\\s*([mM][iI]?[bB]|[gG][iI]?[bB])?\\s*$"
                }
              ]
            },
            "containerDefinitions": {
              "description": "1 to 10 containers, at least one essential.",
              "type": "array",
              "items": {
                "$ref": "#/$defs/containerDefinition"
              },
              "minItems": 1,
              "maxItems": 10
            },
            "placementConstraints": {
              "description": "Task placement constraints: memberOf only (at most 10 with the run-time ones).",
              "type": "array",
              "items": {
                "description": "A memberOf constraint.",
                "type": "object",
                "required": [
                  "type",
                  "expression"
                ],
                "properties": {
                  "type": {
                    "description": "Only \"memberOf\" is allowed in a task definition.",
                    "const": "memberOf"
                  },
                  "expression": {
                    "description": "A cluster query, e.g. \"attribute:ecs.instance-type =~ c5.*\".",
                    "type": "string",
                    "minLength": 1
                  }
                },
                "additionalProperties": false
              },
              "maxItems": 10
            },
            "runtimePlatform": {
              "description": "The platform the task needs.",
              "type": "object",
              "properties": {
                "cpuArchitecture": {
                  "description": "CPU architecture.",
                  "enum": [
                    "X86_64",
                    "ARM64"
                  ]
                },
                "operatingSystemFamily": {
                  "description": "Operating system family.",
                  "enum": [
                    "LINUX",
                    "WINDOWS_SERVER_2016_FULL",
                    "WINDOWS_SERVER_2019_FULL",
                    "WINDOWS_SERVER_2019_CORE",
                    "WINDOWS_SERVER_2022_FULL",
                    "WINDOWS_SERVER_2022_CORE",
                    "WINDOWS_SERVER_2025_FULL",
                    "WINDOWS_SERVER_2025_CORE",
                    "WINDOWS_SERVER_2004_CORE",
                    "WINDOWS_SERVER_20H2_CORE"
                  ],
                  "default": "LINUX"
                }
              },
              "additionalProperties": false
            },
            "ephemeralStorage": {
              "description": "Fargate task storage; 20 GiB when absent.",
              "type": "object",
              "required": [
                "sizeInGiB"
              ],
              "properties": {
                "sizeInGiB": {
                  "description": "21 to 200 GiB.",
                  "type": "integer",
                  "minimum": 21,
                  "maximum": 200
                }
              },
              "additionalProperties": false
            },
            "taskRoleArn": {
              "$ref": "#/$defs/ignored"
            },
            "executionRoleArn": {
              "$ref": "#/$defs/ignored"
            },
            "volumes": {
              "$ref": "#/$defs/ignored"
            },
            "tags": {
              "$ref": "#/$defs/ignored"
            },
            "pidMode": {
              "$ref": "#/$defs/ignored"
            },
            "ipcMode": {
              "$ref": "#/$defs/ignored"
            },
            "proxyConfiguration": {
              "$ref": "#/$defs/ignored"
            },
            "inferenceAccelerators": {
              "$ref": "#/$defs/ignored"
            },
            "enableFaultInjection": {
              "$ref": "#/$defs/ignored"
            },
            "taskDefinitionArn": {
              "$ref": "#/$defs/ignored"
            },
            "revision": {
              "$ref": "#/$defs/ignored"
            },
            "status": {
              "$ref": "#/$defs/ignored"
            },
            "requiresAttributes": {
              "$ref": "#/$defs/ignored"
            },
            "compatibilities": {
              "$ref": "#/$defs/ignored"
            },
            "registeredAt": {
              "$ref": "#/$defs/ignored"
            },
            "registeredBy": {
              "$ref": "#/$defs/ignored"
            },
            "deregisteredAt": {
              "$ref": "#/$defs/ignored"
            },
            "deleteRequestedAt": {
              "$ref": "#/$defs/ignored"
            },
            "cluster": {
              "$ref": "#/$defs/ignored"
            },
            "clientToken": {
              "$ref": "#/$defs/ignored"
            },
            "enableECSManagedTags": {
              "$ref": "#/$defs/ignored"
            },
            "enableExecuteCommand": {
              "$ref": "#/$defs/ignored"
            },
            "propagateTags": {
              "$ref": "#/$defs/ignored"
            },
            "referenceId": {
              "$ref": "#/$defs/ignored"
            },
            "platformVersion": {
              "$ref": "#/$defs/ignored"
            },
            "networkConfiguration": {
              "$ref": "#/$defs/ignored"
            },
            "overrides": {
              "$ref": "#/$defs/ignored"
            }
          },
          "additionalProperties": false
        },
        {
          "description": "What `aws ecs describe-task-definition` prints: {\"taskDefinition\": {...}, \"tags\": [...]}. Read-only fields (taskDefinitionArn, revision, status ...) are ignored.",
          "type": "object",
          "required": [
            "taskDefinition"
          ],
          "properties": {
            "taskDefinition": {
              "$ref": "#/$defs/registerTaskDefinitionInput"
            },
            "tags": {
              "$ref": "#/$defs/ignored"
            },
            "cluster": {
              "$ref": "#/$defs/ignored"
            },
            "clientToken": {
              "$ref": "#/$defs/ignored"
            },
            "enableECSManagedTags": {
              "$ref": "#/$defs/ignored"
            },
            "enableExecuteCommand": {
              "$ref": "#/$defs/ignored"
            },
            "propagateTags": {
              "$ref": "#/$defs/ignored"
            },
            "referenceId": {
              "$ref": "#/$defs/ignored"
            },
            "platformVersion": {
              "$ref": "#/$defs/ignored"
            },
            "networkConfiguration": {
              "$ref": "#/$defs/ignored"
            },
            "overrides": {
              "$ref": "#/$defs/ignored"
            }
          },
          "additionalProperties": false
        }
      ]
    },
    "timelineAction": {
      "description": "An action at a given time: an AWS call with that call's input, or an ecsim fault. Carried out in time order (equal times in file order, before the model's own events at that time).",
      "type": "object",
      "required": [
        "action",
        "input"
      ],
      "properties": {
        "at": {
          "description": "When, from the start of the run; not after duration.",
          "default": 0,
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "action": {
          "description": "The AWS call (or ecsim fault) name.",
          "enum": [
            "RunTask",
            "StopTask",
            "UpdateContainerInstancesState",
            "RegisterTaskDefinition",
            "TerminateInstance",
            "CreateService",
            "UpdateService",
            "DeleteService",
            "FailImagePull"
          ]
        },
        "input": {
          "description": "The call's input; its shape depends on action.",
          "type": "object"
        }
      },
      "additionalProperties": false,
      "allOf": [
        {
          "if": {
            "properties": {
              "action": {
                "const": "RunTask"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/runTaskInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "StopTask"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/stopTaskInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "UpdateContainerInstancesState"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/updateContainerInstancesStateInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "RegisterTaskDefinition"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/registerTaskDefinitionTimelineInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "TerminateInstance"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/terminateInstanceInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "CreateService"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/createServiceTimelineInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "UpdateService"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/updateServiceInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "DeleteService"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/deleteServiceInput"
              }
            }
          }
        },
        {
          "if": {
            "properties": {
              "action": {
                "const": "FailImagePull"
              }
            },
            "required": [
              "action"
            ]
          },
          "then": {
            "properties": {
              "input": {
                "$ref": "#/$defs/failImagePullInput"
              }
            }
          }
        }
      ]
    },
    "instanceGroup": {
      "description": "count identical container instances of one type in one zone. Instances are numbered in launch order: the first is i-00000000000000001.",
      "type": "object",
      "required": [
        "instanceType",
        "availabilityZone"
      ],
      "properties": {
        "instanceType": {
          "description": "A built-in type (m5.large ...) or one from instanceTypes.",
          "type": "string",
          "minLength": 1
        },
        "availabilityZone": {
          "description": "Must be one of cluster.availabilityZones when that list is given.",
          "type": "string",
          "minLength": 1
        },
        "count": {
          "description": "Number of instances.",
          "type": "integer",
          "minimum": 0,
          "maximum": 5000,
          "default": 1
        },
        "launchAt": {
          "description": "Absent: ACTIVE when the run begins. Given: launched then, boots (timing.instanceBoot), registers (timing.agentRegistration) and becomes ACTIVE.",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "ecsReservedMemoryMiB": {
          "description": "ECS_RESERVED_MEMORY (ecs-reference 3.2).",
          "type": "integer",
          "minimum": 0,
          "maximum": 1048576,
          "default": 0
        },
        "awsvpcTrunking": {
          "description": "ENI trunking opted in: raises the awsvpc task limit where the type supports it (2.4).",
          "type": "boolean",
          "default": false
        },
        "osType": {
          "description": "Attribute ecs.os-type.",
          "enum": [
            "linux",
            "windows"
          ],
          "default": "linux"
        },
        "amiId": {
          "description": "Attribute ecs.ami-id.",
          "type": "string",
          "default": "ami-ecs-optimized"
        },
        "attributes": {
          "description": "Custom attributes: names and string values of 1 to 128 characters (ecs-reference 4.3).",
          "type": "object",
          "propertyNames": {
            "minLength": 1,
            "maxLength": 128
          },
          "additionalProperties": {
            "type": "string",
            "minLength": 1,
            "maxLength": 128
          }
        }
      },
      "additionalProperties": false
    },
    "cluster": {
      "description": "The ECS cluster: its zones and its container instances.",
      "type": "object",
      "properties": {
        "clusterName": {
          "description": "Used in ARNs.",
          "type": "string",
          "default": "default"
        },
        "availabilityZones": {
          "description": "Zones of the cluster; Fargate tasks spread over them. Default: the zones the instances name.",
          "type": "array",
          "items": {
            "type": "string",
            "minLength": 1
          },
          "maxItems": 32,
          "uniqueItems": true
        },
        "containerInstances": {
          "description": "Groups of identical instances (at most 5,000 instances in all: the ECS quota).",
          "type": "array",
          "items": {
            "$ref": "#/$defs/instanceGroup"
          }
        },
        "capacityProviders": {
          "description": "Capacity providers. Reserved for a later version of ecsim: must be empty.",
          "type": "array",
          "maxItems": 0
        },
        "defaultCapacityProviderStrategy": {
          "description": "Default capacity provider strategy. Reserved for a later version of ecsim: must be empty.",
          "type": "array",
          "maxItems": 0
        }
      },
      "additionalProperties": false
    },
    "instanceType": {
      "description": "An addition to, or override of, the built-in instance catalog. A built-in name changes only what it gives; a new name must give vcpu, memoryGiB and maxEnis.",
      "type": "object",
      "required": [
        "name"
      ],
      "properties": {
        "name": {
          "description": "e.g. m5.large.",
          "type": "string",
          "minLength": 1
        },
        "vcpu": {
          "description": "vCPUs; registered CPU = 1024 x vcpu.",
          "type": "integer",
          "minimum": 1,
          "maximum": 448
        },
        "memoryGiB": {
          "description": "Installed memory.",
          "type": "number",
          "minimum": 0.5,
          "maximum": 24576
        },
        "cpuArchitecture": {
          "description": "CPU architecture.",
          "enum": [
            "x86_64",
            "arm64"
          ]
        },
        "maxEnis": {
          "description": "Network interfaces.",
          "type": "integer",
          "minimum": 1,
          "maximum": 128
        },
        "awsvpcTasks": {
          "description": "awsvpc tasks without trunking; default maxEnis - 1 (2.4).",
          "type": "integer",
          "minimum": 0,
          "maximum": 128
        },
        "awsvpcTasksWithTrunking": {
          "description": "awsvpc tasks with trunking.",
          "type": "integer",
          "minimum": 0,
          "maximum": 1024
        },
        "pricePerHourUSD": {
          "description": "On-demand price.",
          "type": "number",
          "minimum": 0,
          "maximum": 1000
        },
        "registeredMemoryMiB": {
          "description": "Memory the agent registers, when known (otherwise estimated).",
          "type": "integer",
          "minimum": 1,
          "maximum": 25165824
        }
      },
      "additionalProperties": false
    },
    "timing": {
      "description": "The timing model. Defaults follow ecs-reference section 11; the ones AWS does not document are INFERRED (docs/model.md).",
      "type": "object",
      "properties": {
        "instanceBoot": {
          "description": "EC2 launch until the agent starts.",
          "default": "60s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "agentRegistration": {
          "description": "REGISTERING until ACTIVE.",
          "default": "15s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "ec2EniAttach": {
          "description": "PROVISIONING of an awsvpc task on EC2.",
          "default": "5s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "fargateEniProvisioning": {
          "description": "PROVISIONING of a Fargate task.",
          "default": "10s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "agentPickup": {
          "description": "PENDING: the agent takes the task.",
          "default": "1s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "ec2ImagePullMiBPerSecond": {
          "description": "Image pull throughput to an instance.",
          "type": "number",
          "minimum": 0.01,
          "maximum": 1000000,
          "default": 100
        },
        "fargateImagePullMiBPerSecond": {
          "description": "Image pull throughput on Fargate.",
          "type": "number",
          "minimum": 0.01,
          "maximum": 1000000,
          "default": 60
        },
        "defaultImageSizeMiB": {
          "description": "Image size of a container that does not give ecsim.imageSizeMiB.",
          "type": "number",
          "minimum": 0,
          "maximum": 1000000,
          "default": 200
        },
        "containerStart": {
          "description": "Per container, in dependsOn order.",
          "default": "2s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "deactivation": {
          "description": "DEACTIVATING without a load balancer.",
          "default": "1s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "eniDetach": {
          "description": "DEPROVISIONING of an awsvpc or Fargate task.",
          "default": "5s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "sigtermExit": {
          "description": "An app's exit after SIGTERM.",
          "default": "2s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "instanceShutdown": {
          "description": "DEREGISTERING until INACTIVE after a termination.",
          "default": "30s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "imagePullFailure": {
          "description": "A failing pull gives up after this.",
          "default": "5s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "schedulerRetry": {
          "description": "The service scheduler retries placements and stalled work this often.",
          "default": "15s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 1,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "throttleInitial": {
          "description": "Start-failure throttle: first gap (ecs-reference 5.3).",
          "default": "10s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 1,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        },
        "throttleMax": {
          "description": "Start-failure throttle: cap of the doubling gap.",
          "default": "15m",
          "anyOf": [
            {
              "type": "number",
              "minimum": 1,
              "maximum": 86400
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        }
      },
      "additionalProperties": false
    },
    "placement": {
      "description": "Placement settings where AWS documents nothing.",
      "type": "object",
      "properties": {
        "tieBreak": {
          "description": "Instances still tied after every strategy: random (seeded) or lowestId.",
          "enum": [
            "random",
            "lowestId"
          ],
          "default": "random"
        },
        "runTaskDefaultStrategy": {
          "description": "Strategy of a RunTask without one: random, binpack (memory) or spread (zone).",
          "enum": [
            "random",
            "binpack",
            "spread"
          ],
          "default": "random"
        }
      },
      "additionalProperties": false
    },
    "scheduler": {
      "description": "How the service scheduler counts tasks (ecs-reference 6.1).",
      "type": "object",
      "properties": {
        "countStoppingInMaximumPercent": {
          "description": "Stopping tasks count toward maximumPercent (INFERRED).",
          "type": "boolean",
          "default": true
        },
        "healthyAfterRunning": {
          "description": "A task without health check counts as healthy this long after RUNNING.",
          "default": "40s",
          "anyOf": [
            {
              "type": "number",
              "minimum": 0,
              "maximum": 3600
            },
            {
              "$ref": "#/$defs/durationString"
            }
          ]
        }
      },
      "additionalProperties": false
    }
  }
}
)ecsim",
};
// clang-format on

}  // namespace

std::string scenario_schema_text() {
  std::string text;
  for (std::string_view part : kParts)
    text += part;
  return text;
}

}  // namespace ecsim
