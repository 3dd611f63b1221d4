import { describe, expect, it } from 'vitest';
import { describeCommandDiff, diffCommands } from './commandDiff.js';

describe('diffCommands', () => {
  const help = { name: 'help', description: 'Help', options: [] };
  const clips = {
    name: 'clips',
    description: 'Clips',
    options: [
      {
        type: 1,
        name: 'search',
        description: 'Search',
        options: [{ type: 3, name: 'text', required: true }],
      },
    ],
  };

  it('reports added, changed and removed commands, ignoring what Discord fills in', () => {
    const registered = [
      { ...help, id: '1', version: '5', application_id: '9', dm_permission: false, name_localizations: null },
      { name: 'search', description: 'old', id: '2' },
      {
        ...clips,
        id: '3',
        options: [{ ...clips.options[0], options: [{ type: 3, name: 'text', required: false }] }],
      },
    ];
    const diff = diffCommands(registered, [help, clips, { name: 'favorites', description: 'Saved' }]);
    expect(diff).toEqual({
      added: ['favorites'],
      changed: [{ name: 'clips', fields: ['options'] }],
      removed: ['search'],
      unchanged: ['help'],
    });
    expect(describeCommandDiff(diff)).toEqual([
      '+ /favorites (new)',
      '~ /clips (changed: options)',
      '- /search (removed)',
    ]);
  });

  it('says so when nothing changed', () => {
    const registered = {
      ...help,
      id: '1',
      nsfw: false,
      default_member_permissions: null,
      name_localizations: null,
    };
    const sent = {
      ...help,
      nsfw: undefined,
      default_member_permissions: undefined,
      name_localizations: undefined,
    };
    expect(describeCommandDiff(diffCommands([registered], [sent]))).toEqual(['no changes']);
  });
});
