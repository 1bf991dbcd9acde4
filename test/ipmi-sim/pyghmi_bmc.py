"""A second real BMC for the IPMI end-to-end test: pyghmi's FakeBmc (Debian python3-pyghmi),
which answers ipmitool over RMCP+ on loopback, with a record of what it was asked.

OpenIPMI's ipmi_sim hands its chassis_control hook the boot device but not the boot flags
(persistent, EFI), and pyghmi's FakeBmc drops them too and does not implement Chassis
Identify: this subclass appends one line per request to LOG, before pyghmi handles it:
    power on|off|cycle|reset|soft
    bootdev DEVICE_SELECTOR valid=0|1 persistent=0|1 efi=0|1    (Set System Boot Options, 5)
    identify INTERVAL force=0|1                                 (Chassis Identify)

Run with Debian's python (test/ipmi-sim/sim.ts does): /usr/bin/python3 pyghmi_bmc.py PORT USER LOG
with the password in the environment as IPMI_PASSWORD. It starts powered on.
"""

import os
import sys

from pyghmi.cmd.fakebmc import FakeBmc

CONTROLS = {0: 'off', 1: 'on', 2: 'cycle', 3: 'reset', 5: 'soft'}


class RecordingBmc(FakeBmc):
    def __init__(self, authdata, port, log):
        super(RecordingBmc, self).__init__(authdata, port)
        self.log = log

    def record(self, line):
        with open(self.log, 'a') as log:
            log.write(line + '\n')

    def handle_raw_request(self, request, session):
        data = request['data']
        if request['netfn'] == 0 and request['command'] == 2 and data:
            self.record('power ' + CONTROLS.get(data[0], str(data[0])))
        elif request['netfn'] == 0 and request['command'] == 8 and data and data[0] == 5:
            flags = data[1]
            self.record('bootdev %d valid=%d persistent=%d efi=%d' % (
                (data[2] >> 2) & 0b1111, flags >> 7 & 1, flags >> 6 & 1, flags >> 5 & 1))
        elif request['netfn'] == 0 and request['command'] == 4:
            interval = data[0] if len(data) > 0 else 15
            force = data[1] & 1 if len(data) > 1 else 0
            self.record('identify %d force=%d' % (interval, force))
            return session.send_ipmi_response()
        return super(RecordingBmc, self).handle_raw_request(request, session)


def main():
    port, user, log = sys.argv[1:4]
    bmc = RecordingBmc({user: os.environ['IPMI_PASSWORD']}, int(port), log)
    bmc.powerstate = 'on'
    print('listening', flush=True)
    bmc.listen()


if __name__ == '__main__':
    sys.exit(main())
