"""Support tickets: customers raise and follow their own, staff work the queue under SLAs."""
