# The AWS CLI from Debian (awscli 2.9.x), for the ECS-compatible endpoint's walkthrough test
# (packages/controller/test/e2e/api-awscli.e2e.test.ts): it runs stock `aws ecs …` commands against
# `baton serve`. Nothing to start; the check is that /usr/bin/aws answers.
PACKAGES=(awscli)

service_start() { :; }

service_check() { /usr/bin/aws --version >/dev/null 2>&1; }
