# The image of tests/docker/docker_parallel.sh's hosts: the mvs image (IMAGE) with an SSH server that lets
# the user mvs (no password, not locked) in with the key at /etc/mvs-test/authorized_keys, which the test
# mounts. The test runs sshd as root on the host network, sshd -D -e -p PORT, listening on loopback only.
# Built by tests/docker/tier.
ARG IMAGE=mvs:latest
FROM ${IMAGE}
USER root
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openssh-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /run/sshd \
 && usermod -p '*' mvs \
 && printf '%s\n' 'ListenAddress 127.0.0.1' 'AuthorizedKeysFile /etc/mvs-test/authorized_keys' \
      'PasswordAuthentication no' 'KbdInteractiveAuthentication no' 'UsePAM no' \
      >/etc/ssh/sshd_config.d/mvs-test.conf
