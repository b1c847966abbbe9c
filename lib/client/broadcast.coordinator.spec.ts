import { describe, expect, it } from '@jest/globals';
import { BroadcastCoordinator } from './broadcast.coordinator.js';
import { TabChannel } from './tab-channel.js';

describe('BroadcastCoordinator (the fallback cross-tab mutex)', () => {
  it('never lets two tabs run their exclusive tasks at the same time', async () => {
    const name = `coordinator-spec-${process.pid}-${Date.now()}`;
    const tabs = ['a', 'b', 'c'].map((id) => new BroadcastCoordinator(new TabChannel(name, id), { claimWindow: 30 }));
    let running = 0;
    let maxRunning = 0;
    const order: string[] = [];
    const task = (id: string) => async () => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      order.push(id);
      await new Promise((resolve) => setTimeout(resolve, 40));
      running--;
      return id;
    };
    try {
      const results = await Promise.all(tabs.flatMap((tab, i) => [tab.exclusive(task(`${i}1`)), tab.exclusive(task(`${i}2`))]));
      expect(results.sort()).toEqual(['01', '02', '11', '12', '21', '22']);
      expect(maxRunning).toBe(1);
      expect(order).toHaveLength(6);
    } finally {
      for (const tab of tabs) tab.close();
    }
  });
});
